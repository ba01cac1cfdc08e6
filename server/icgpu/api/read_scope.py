"""One read session per HTTP request (``Database.request_scope``), for every adapter."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from icgpu.db.database import Database


class ReadScopeMiddleware:
    """Pure ASGI: the reads of one HTTP request share a session; WebSockets (long-lived
    subscriptions) keep a session per read."""

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self.db.request_scope():
            await self.app(scope, receive, send)
