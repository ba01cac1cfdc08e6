"""A loopback HTTP proxy for failure tests: forward, drop the answer, answer 502, or refuse.

Each request takes the next action from ``actions`` (then ``default``). ``drop`` forwards the
request and waits for the server's whole answer (so its work is committed) before closing the
client's connection without a byte: the client sees a connection error after the server acted.
Every connection carries one request (``Connection: close``). Runs on its own thread and loop,
stopped by ``stop()``; requests seen are kept in ``seen`` as (method, path, headers, action).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

Action = Literal["forward", "drop", "502", "503", "refuse"]
IO_TIMEOUT = 30.0
BAD_GATEWAY = (b"HTTP/1.1 %d Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: 11\r\n"
               b"connection: close\r\n\r\nbad gateway")


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    action: Action


@dataclass
class Proxy:
    upstream_port: int
    default: Action = "forward"
    actions: deque[Action] = field(default_factory=deque)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _server: asyncio.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def then(self, *actions: Action) -> Proxy:
        self.actions.extend(actions)
        return self

    def start(self) -> Proxy:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()

        def run() -> None:
            assert self._loop is not None
            self._loop.run_until_complete(serve())
            self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, name="test-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            async def close() -> None:
                assert self._server is not None
                self._server.close()
                self._loop.stop()  # type: ignore[union-attr]

            asyncio.run_coroutine_threadsafe(close(), self._loop)
        if self._thread:
            self._thread.join(10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(self._one(reader, writer), IO_TIMEOUT)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        action: Action = self.actions.popleft() if self.actions else self.default
        self.seen.append(Seen(method, path, headers, action))
        if action == "refuse":
            return
        if action in ("502", "503"):
            writer.write(BAD_GATEWAY.replace(b"%d", action.encode()))
            await writer.drain()
            return
        kept = [ln for ln in lines[1:] if ln and not ln.lower().startswith("connection:")]
        request = "\r\n".join([lines[0], *kept, "Connection: close", "", ""]).encode("latin-1") + body
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            up_writer.write(request)
            await up_writer.drain()
            answer = await up_reader.read()  # the whole answer: the server closes after it
        finally:
            up_writer.close()
        if action == "forward":
            writer.write(answer)
            await writer.drain()
