"""Pure ASGI middleware: a request id on every response, and the rate-limit headers."""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_INCOMING_ID = 128


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope.get("headers", [])
                         if k == b"x-request-id"), "")
        ok = 0 < len(incoming) <= MAX_INCOMING_ID and incoming.isascii() and incoming.isprintable()
        request_id = incoming if ok else "req-" + secrets.token_hex(12)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                quota = state.get("rate_quota")
                if quota is not None and "x-ratelimit-limit" not in headers:
                    for k, v in quota.headers().items():
                        headers[k] = v
            await send(message)

        await self.app(scope, receive, send_with_headers)
