"""Responses of the /v1 adapter: whole JSON answers, and SSE streams relayed as they arrive.

``RelayResponse`` always listens for the client's disconnect while it sends (Starlette's own
listener), so a client that goes away cancels the relay at once, and it runs the gateway's
``close`` whatever happens (shielded: the upstream is closed and the call settled even when the
stream never started or the client left)."""

from __future__ import annotations

import anyio
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from icgpu.gateway.inference import Reply, StreamReply

JSON = "application/json"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class RelayResponse(StreamingResponse):
    def __init__(self, reply: StreamReply) -> None:
        super().__init__(reply.events, media_type="text/event-stream", headers={**SSE_HEADERS, **reply.headers})
        self.reply = reply

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.reply.close()


def respond(reply: Reply | StreamReply) -> Response:
    if isinstance(reply, StreamReply):
        return RelayResponse(reply)
    return Response(reply.body, media_type=JSON, headers=reply.headers)
