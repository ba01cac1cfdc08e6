"""Pure ASGI middleware around every route: a request id on every response, the rate-limit
headers, the body size limit (``limits.py``), and the last word on errors nobody handled.

``RequestIdMiddleware`` (the one the app installs) is the outermost layer of the application's
own stack: it wraps ``BodyLimitMiddleware``, so a 413 is sent before routing and authentication,
and it turns any exception that escapes the app into the shared error body with the request id
and rate-limit headers. Unexpected exceptions are logged once, here, with the request id, and are
not re-raised (Starlette's outer ServerErrorMiddleware would answer without our headers and the
server would log them a second time).
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icgpu.api.errors import as_api_error, error_body, is_graphql
from icgpu.api.limits import BodyLimitMiddleware

MAX_INCOMING_ID = 128


def request_id_for(scope: Scope) -> str:
    """The client's X-Request-Id when it is sane (short, printable ASCII), else a new one."""
    incoming = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-request-id"), "")
    ok = 0 < len(incoming) <= MAX_INCOMING_ID and incoming.isascii() and incoming.isprintable()
    return incoming if ok else "req-" + secrets.token_hex(12)


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = BodyLimitMiddleware(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                quota = state.get("rate_quota")
                if quota is not None and "x-ratelimit-limit" not in headers:
                    for k, v in quota.headers().items():
                        headers[k] = v
            await send(message)

        if scope["type"] != "http":
            await self.app(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            err = as_api_error(exc, request_id)  # logs the unexpected ones, once
            if started:  # too late for a status: the client sees the response cut short
                return
            response = JSONResponse(error_body(err, request_id, graphql=is_graphql(scope.get("path", ""))),
                                    status_code=err.status, headers=err.headers)
            await response(scope, receive, send_with_headers)
