"""Mounting GraphQL on FastAPI: HTTP (GraphiQL in a browser) and graphql-transport-ws.

Over HTTP a request is refused before execution with its real status, headers and the shared error
body (plus a GraphQL ``errors`` array, see ``api/errors.py``): a request with an Authorization
header is authenticated and counted against the rate limit first (401, 429 with Retry-After), the
body is read by the shared decoder (``api/body.py``: 415 for a non-JSON content type, 400 for
malformed JSON) and limited in size by ``api/limits.py`` (413). A request without Authorization
still executes: public fields answer, the others error inside the result.

POST /graphql is served by a plain Starlette route (``post_route``) placed before strawberry's
FastAPI routes: it builds the context and the sub-response FastAPI's dependency solving would
(``Depends(context_getter)``, ``Response``, ``BackgroundTasks``) and runs the same view, so every
status, header and body is the one the FastAPI route gives (``ICGPU_FAST_PATHS=false`` keeps the
FastAPI route, the reference of tests/server/test_response_equality.py). GET /graphql (GraphiQL)
and the WebSocket stay on strawberry's routes.

Over WebSocket the caller authenticates once, with ``Authorization`` in the ``connection_init``
payload; a refusal closes the socket with a code saying why (``WS_CLOSE_CODES``).
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from fastapi import BackgroundTasks
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types.unset import UNSET

from icgpu.api.body import decode, decode_object, require_json_media_type
from icgpu.api.encoding import dumps_ascii
from icgpu.api.errors import respond
from icgpu.api.graphql.context import Context
from icgpu.api.graphql.schema import build_schema
from icgpu.api.principal import resolve_principal
from icgpu.api.ui import render_graphiql
from icgpu.errors import ApiError, AuthenticationError, ValidationError
from icgpu.platform import Platform

# WebSocket close codes for a refused connection_init (documented in docs/errors.md).
WS_MISSING_CREDENTIALS = 4401  # no Authorization in the payload, or not "Bearer <credential>"
WS_INVALID_CREDENTIALS = 4403  # a credential that is not valid: unknown, revoked, expired, bad signature
WS_SERVER_ERROR = 1011  # the credential could not be checked (e.g. the identity provider is down)
WS_CLOSE_CODES = {"MissingCredentials": WS_MISSING_CREDENTIALS}


def ws_close_code(err: ApiError) -> int:
    if isinstance(err, AuthenticationError):
        return WS_CLOSE_CODES.get(err.code, WS_INVALID_CREDENTIALS)
    return WS_SERVER_ERROR if err.status >= 500 else WS_INVALID_CREDENTIALS


def request_data(data: dict[str, Any], protocol: Any) -> GraphQLRequestData:
    """A decoded POST body as strawberry's request: each member of the documented type, or a 400."""
    expected = {"query": str, "operationName": str, "variables": dict, "extensions": dict}
    for name, type_ in expected.items():
        value = data.get(name)
        if value is not None and not isinstance(value, type_):
            kind = "a string" if type_ is str else "an object"
            raise ValidationError(f"{name} must be {kind} or null", field=name)
    return GraphQLRequestData(query=data.get("query"), variables=data.get("variables"),
                              operation_name=data.get("operationName"), extensions=data.get("extensions"),
                              protocol=protocol)


class _TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Authenticate before strawberry acknowledges, so each refusal gets its own close code
        (strawberry closes every rejection with 4403). Malformed or repeated inits, and the
        timeout, are strawberry's to answer."""
        payload = message.get("payload", {})
        if isinstance(payload, dict) and not self.connection_init_received and not self.connection_timed_out:
            self.context.connection_params = payload
            try:
                await self.context.principal()
            except ApiError as err:
                self.connection_init_received = True
                if self.connection_init_timeout_task:
                    self.connection_init_timeout_task.cancel()
                await self.websocket.close(code=ws_close_code(err), reason=f"{err.type}: {err.code}"[:120])
                return
        await super().handle_connection_init(message)


class _Router(GraphQLRouter[Context, None]):
    fast_json = True  # orjson, same bytes (api/encoding.py); off with ICGPU_FAST_PATHS=false
    graphql_transport_ws_handler_class = _TransportWS

    def encode_json(self, data: object) -> str | bytes:
        # A str, not bytes: WebSocket messages are sent as what this returns (text frames).
        if self.fast_json:
            return dumps_ascii(data).decode("ascii")
        return super().encode_json(data)

    async def get_sub_response(self, request: Request) -> Response:
        """The sub-response ``post_route`` made for this request, else FastAPI's (which strawberry
        keeps in ``temporal_response`` just before it runs the view)."""
        mine: Response | None = request.scope.get(_SUB_RESPONSE)
        return mine if mine is not None else await super().get_sub_response(request)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL with its assets served by this server (no CDN): ``api/ui.py``."""
        return await render_graphiql(request)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request):  # a WebSocket
            return await super().run(request, context, root_value)
        try:
            if "authorization" in request.headers:
                await resolve_principal(request)  # 401 / 429 before the body is read
            return await super().run(request, context, root_value)
        except ApiError as err:
            return respond(request, err)
        except HTTPException as exc:  # strawberry's own refusals (e.g. a mutation over GET)
            refusal = ValidationError(exc.reason)
            refusal.status = exc.status_code
            return respond(request, refusal)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:  # type: ignore[override]
        if request.method != "POST":
            return await super().parse_http_body(request)  # type: ignore[return-value]
        require_json_media_type(request.content_type)
        data = decode_object(await request.get_body())
        transport = self._get_stream_transport_from_headers(request.headers)
        return request_data(data, transport.protocol if transport else "http")

    def parse_json(self, data: str | bytes) -> Any:
        """Variables and extensions sent in a GET query string."""
        return decode(data)

    def decode_json(self, data: str | bytes) -> object:
        """WebSocket messages: the same decoder, failing as strawberry expects (it closes 4400)."""
        try:
            return decode(data)
        except ValidationError as err:
            raise json.JSONDecodeError(err.message, data if isinstance(data, str) else "", 0) from None

    async def on_ws_connect(self, context: Context) -> Any:
        """Authenticate the socket once, from the connection_init payload (graphql-ws, the legacy
        protocol, reports a refusal in connection_error; graphql-transport-ws in _TransportWS)."""
        try:
            await context.principal()
        except ApiError as err:
            raise ConnectionRejectionError({"code": err.type, "message": err.message}) from None
        return UNSET


_SUB_RESPONSE = "icgpu.graphql.sub_response"


def sub_response() -> Response:
    """An empty response whose status and headers the execution may set (the idempotency
    extension's headers), as FastAPI makes it for a ``Response`` parameter: no status, no length."""
    response = Response()
    del response.headers["content-length"]
    response.status_code = None  # type: ignore[assignment]
    return response


def post_route(router: _Router, platform: Platform) -> Route:
    """POST /graphql without FastAPI's dependency solving: the context strawberry's FastAPI
    integration would make (request, sub-response, background tasks), then the same view."""

    async def graphql_post(request: Request) -> Response:
        context = Context(platform)
        context.request = request
        context.response = request.scope[_SUB_RESPONSE] = sub_response()
        context.background_tasks = tasks = BackgroundTasks()
        try:
            response: Response = await router.run(request, context=context, root_value=None)
        except HTTPException as exc:  # as strawberry's FastAPI route answers it
            return PlainTextResponse(exc.reason, status_code=exc.status_code)
        if tasks.tasks and response.background is None:
            response.background = tasks
        return response

    route = Route("/", graphql_post, methods=["POST"], include_in_schema=False)
    # Strawberry's own path ("", the router's root): include_router builds the route it matches
    # from this path and the endpoint, under the prefix it is given (Route itself wants a "/").
    route.path = next(r.path for r in router.routes if isinstance(r, APIRoute) and "POST" in (r.methods or ()))
    return route


def graphql_router(platform: Platform) -> GraphQLRouter[Context, None]:
    async def get_context() -> Context:
        return Context(platform)

    router = _Router(
        build_schema(platform.settings),
        context_getter=get_context,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL],
        graphql_ide="graphiql",
        multipart_uploads_enabled=False,
    )
    router.fast_json = platform.settings.fast_paths
    if platform.settings.fast_paths:
        router.routes.insert(0, post_route(router, platform))  # matched before strawberry's POST
    return router

