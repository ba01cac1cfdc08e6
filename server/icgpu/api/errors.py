"""Mapping errors to the shared JSON body; unexpected ones are masked and logged, never shown.

A refusal on ``/graphql`` (a request refused before execution: unauthenticated, throttled, too
large, not JSON, wrong method) carries the same HTTP status, headers and ``{"error": ...}`` body,
plus an ``errors`` array shaped like any GraphQL error, so GraphQL clients can read it too.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from icgpu.errors import ApiError, Conflict, InternalError, NotFound, ValidationError
from icgpu.services.validation import first_error

log = logging.getLogger("icgpu.errors")

GRAPHQL_PATH = "/graphql"


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def is_graphql(path: str) -> bool:
    return path == GRAPHQL_PATH or path.startswith(GRAPHQL_PATH + "/")


def graphql_extensions(err: ApiError) -> dict[str, Any]:
    """``extensions`` of a GraphQL error for ``err``: the type in ``code``, as in every result."""
    ext: dict[str, Any] = {"code": err.type, "status": err.status, "reason": err.code}
    if err.field:
        ext["field"] = err.field
    return ext


def error_body(exc: ApiError, request_id: str | None, *, graphql: bool = False) -> dict[str, Any]:
    body = exc.body(request_id)
    if graphql:
        body["errors"] = [{"message": exc.message, "extensions": graphql_extensions(exc)}]
    return body


def error_response(exc: ApiError, request_id: str | None, *, graphql: bool = False) -> JSONResponse:
    return JSONResponse(error_body(exc, request_id, graphql=graphql), status_code=exc.status, headers=exc.headers)


def respond(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc, request_id_of(request), graphql=is_graphql(request.url.path))


def as_api_error(exc: Exception, request_id: str | None) -> ApiError:
    """``exc`` itself if it is an ApiError; anything else is logged (once, here) and masked."""
    if isinstance(exc, ApiError):
        return exc
    log.error("unhandled error (request %s)", request_id, exc_info=exc)
    return InternalError("an unexpected error occurred; quote the request id when reporting it")


PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette's 405 names only the first route's):
    each method is tried against the app's routes, nested routers included."""
    routes = request.app.router.routes
    allowed = [m for m in PROBED_METHODS
               if any(route.matches({**request.scope, "method": m})[0] is Match.FULL for route in routes)]
    return ", ".join(allowed)


def _http_error(request: Request, exc: StarletteHTTPException) -> ApiError:
    if exc.status_code == 404:
        return NotFound("no such route", code="RouteNotFound")
    if exc.status_code == 405:
        allow = allowed_methods(request) or dict(exc.headers or {}).get("Allow", "")
        err = ValidationError(f"method {request.method} is not allowed here; allowed: {allow}",
                              code="MethodNotAllowed", headers={"Allow": allow})
        err.status = 405
        return err
    if exc.status_code == 409:
        return Conflict(str(exc.detail))
    if 400 <= exc.status_code < 500:
        err = ValidationError(str(exc.detail))
        err.status = exc.status_code
        return err
    return InternalError("an unexpected error occurred")


def install(app: FastAPI) -> None:
    """Handlers for the errors routes raise. Anything else is answered by ``RequestIdMiddleware``
    (a masked 500 with the request id and rate-limit headers, logged once)."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return respond(request, first_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return respond(request, _http_error(request, exc))
