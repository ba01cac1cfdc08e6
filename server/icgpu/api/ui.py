"""The browser UIs, with every script and style served by this server (no CDN, so they work offline).

- Swagger UI at ``/docs`` and ReDoc at ``/redoc``: assets from the ``fastapi-offline`` package.
- GraphiQL at ``/graphql`` (a browser's GET): assets (GraphiQL, React, graphql-ws) from the
  ``graphene-django-graphiql-static`` package; ``render_graphiql`` is the page the GraphQL router returns.

The assets are under ``/_assets/swagger/`` and ``/_assets/graphiql/``; paths honour the ASGI root path.
"""

from __future__ import annotations

import html
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/_assets"
SWAGGER_ASSETS = f"{ASSETS}/swagger"
GRAPHIQL_ASSETS = f"{ASSETS}/graphiql"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"


def swagger_assets_dir() -> Path:
    return Path(str(files("fastapi_offline").joinpath("static")))


def graphiql_assets_dir() -> Path:
    return Path(str(files("graphene_django_graphiql_static").joinpath("static", "graphene_django_graphiql_static")))


def install(app: FastAPI) -> None:
    """Mount the assets and the Swagger UI and ReDoc pages (create the app with docs_url=redoc_url=None)."""
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=swagger_assets_dir()), name="swagger-assets")
    app.mount(GRAPHIQL_ASSETS, StaticFiles(directory=graphiql_assets_dir()), name="graphiql-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{SWAGGER_ASSETS}/favicon.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_URL,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{SWAGGER_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{SWAGGER_ASSETS}/favicon.png",
            with_google_fonts=False,
        )


async def render_graphiql(request: Request) -> HTMLResponse:
    """The GraphiQL page (the GraphQL router's ``render_graphql_ide``)."""
    return HTMLResponse(graphiql_html(_root(request)))


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@lru_cache(maxsize=8)
def graphiql_html(root_path: str = "") -> str:
    return _GRAPHIQL_PAGE.replace("{assets}", html.escape(root_path + GRAPHIQL_ASSETS, quote=True))


# GraphiQL 2 on React 17 (the versions the package ships). Queries and mutations go over HTTP to this
# page's URL, subscriptions over graphql-transport-ws to the same URL; the headers editor's JSON
# (e.g. {"Authorization": "Bearer sk-ic-..."}) is sent with both.
_GRAPHIQL_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>IC GPU - GraphiQL</title>
  <style>
    body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
    #graphiql { height: 100vh; }
  </style>
  <link rel="stylesheet" href="{assets}/graphiql.min.css">
  <link rel="stylesheet" href="{assets}/style.css">
  <script src="{assets}/react.production.min.js"></script>
  <script src="{assets}/react-dom.production.min.js"></script>
  <script src="{assets}/graphiql.min.js"></script>
  <script src="{assets}/graphql-ws.min.js"></script>
  <script src="{assets}/graphiql-plugin-explorer.umd.js"></script>
</head>
<body>
  <div id="graphiql">Loading...</div>
  <script>
    const pageUrl = window.location.href.split("?")[0].split("#")[0];
    const wsUrl = pageUrl.replace(/^http/, "ws");
    const params = new URLSearchParams(window.location.search);
    let currentHeaders = {};

    function parseHeaders(text) {
      try {
        const value = JSON.parse(text || "{}");
        return value && typeof value === "object" && !Array.isArray(value) ? value : {};
      } catch (e) {
        return {};
      }
    }

    try {
      currentHeaders = parseHeaders(window.localStorage.getItem("graphiql:headers"));
    } catch (e) {
      currentHeaders = {};
    }

    const wsClient = graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      connectionParams: () => currentHeaders,
    });
    const fetcher = GraphiQL.createFetcher({ url: pageUrl, wsClient: wsClient });

    function App() {
      const [query, setQuery] = React.useState(params.get("q") || "");
      const explorer = GraphiQLPluginExplorer.useExplorerPlugin({ query: query, onEdit: setQuery });
      return React.createElement(GraphiQL, {
        fetcher: fetcher,
        query: query,
        onEditQuery: setQuery,
        onEditHeaders: (text) => { currentHeaders = parseHeaders(text); },
        plugins: [explorer],
        defaultEditorToolsVisibility: true,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
        inputValueDeprecation: true,
      });
    }

    ReactDOM.render(React.createElement(App), document.getElementById("graphiql"));
  </script>
</body>
</html>
"""
