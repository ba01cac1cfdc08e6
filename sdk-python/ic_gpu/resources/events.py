"""client.events.stream(types=[...]): events on your resources, as they happen."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

from .._streams import iterate_in_thread, mapped, ws_client
from ..generated import aio as a
from ._base import AsyncResource, SyncResource


async def _stream(client: a.AsyncGeneratedClient, types: list[str] | None) -> AsyncIterator[a.EventFields]:
    try:
        async for event in mapped(client.stream_events(types=types)):
            yield event.events
    finally:
        await client.http_client.aclose()


class Events(SyncResource):
    def stream(self, types: Sequence[str] | None = None) -> Iterator[a.EventFields]:
        """Exact event names, 'instance.*' or '*' (default: every event). Runs until you stop iterating."""
        config, wanted = self._config, list(types) if types is not None else None
        return iterate_in_thread(lambda: _stream(ws_client(config), wanted))


class AsyncEvents(AsyncResource):
    def stream(self, types: Sequence[str] | None = None) -> AsyncIterator[a.EventFields]:
        """Exact event names, 'instance.*' or '*' (default: every event). Runs until you stop iterating."""
        return _stream(ws_client(self._config), list(types) if types is not None else None)
