"""Request body size, limited on every HTTP route before anything else runs (authentication
included): a declared ``Content-Length`` over the limit is refused up front, without reading a
byte; a chunked body (no ``Content-Length``) is read first, at most up to the limit, so it is
refused before authentication too; and every body is counted while it is read."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icgpu.errors import ValidationError

MAX_BODY_BYTES = 1 << 20  # 1 MiB


class BodyTooLarge(ValidationError):
    status = 413


def too_large(limit: int = MAX_BODY_BYTES) -> BodyTooLarge:
    return BodyTooLarge(f"request body is larger than {limit} bytes ({limit / (1 << 20):g} MiB)",
                        code="BodyTooLarge", field="body")


def declared_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None  # the HTTP server refuses malformed ones
    return None


def is_chunked(scope: Scope) -> bool:
    return any(key == b"transfer-encoding" for key, _ in scope.get("headers", ()))


async def read_up_to(receive: Receive, limit: int) -> Receive:
    """Read the body until it ends or passes ``limit`` (then ``BodyTooLarge``); the ``receive``
    returned replays what was read before asking the server for more (e.g. a disconnect)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > limit:
            raise too_large(limit)
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


class BodyLimitMiddleware:
    """Raises ``BodyTooLarge`` (an ApiError, answered 413 by whoever is reading the body, or by
    ``RequestIdMiddleware`` when nobody is) once more than ``limit`` bytes arrive."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.limit:
            raise too_large(self.limit)
        if declared is None and is_chunked(scope):
            receive = await read_up_to(receive, self.limit)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise too_large(self.limit)
            return message

        await self.app(scope, limited_receive, send)
