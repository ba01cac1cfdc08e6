"""Run the development engine as a replica process.

`start_replica` spawns `python -m icgpu.gateway.devengine` in its own session (its own process
group, so a stop reaches everything it runs and a terminal's Ctrl-C does not), lets the engine bind
the port (port 0: the engine picks a free one and reports it, so two replicas never race for a port),
then polls `/health` within a bounded time. `Replica.stop` sends SIGTERM to the group, waits, then
SIGKILL, and always reaps the process (no zombie); it is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import IO

ENGINE_MODULE = "icgpu.gateway.devengine"
_HEALTH_POLL_SECONDS = 0.05
_HEALTH_REQUEST_TIMEOUT = 2.0


class ReplicaStartError(RuntimeError):
    """The engine exited, or did not answer /health, within the start timeout."""


async def http_status(host: str, port: int, path: str, *, within: float = _HEALTH_REQUEST_TIMEOUT) -> int | None:
    """The status of a bare `GET path` (HTTP/1.1, connection closed after), or None when the engine
    does not answer `within` seconds."""
    writer = None
    try:
        async with asyncio.timeout(within):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("ascii"))
            await writer.drain()
            status_line = await reader.readline()
        parts = status_line.split()
        return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
    except (OSError, TimeoutError, ValueError):
        return None
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class Replica:
    def __init__(self, process: asyncio.subprocess.Process, host: str, port: int, model: str, kind: str,
                 log: IO[bytes]) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.model = model
        self.kind = kind
        self._log = log
        self._stopped = False
        self._stop_lock = asyncio.Lock()

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    async def healthy(self) -> bool:
        return self.running and await http_status(self.host, self.port, "/health") == 200

    def log_tail(self, limit: int = 4000) -> str:
        """The end of what the engine wrote on stderr (for error messages)."""
        try:
            self._log.seek(0)
            return self._log.read()[-limit:].decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    async def stop(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 (the contract's signature)
        """SIGTERM the process group, wait up to `timeout`, then SIGKILL; reap. Idempotent."""
        async with self._stop_lock:
            if self._stopped:
                return
            try:
                if self.running:
                    _signal_group(self.pid, signal.SIGTERM)
                    try:
                        await asyncio.wait_for(self.process.wait(), timeout)
                    except TimeoutError:
                        # Only while it is unreaped: a reaped pid may already name another group.
                        _signal_group(self.pid, signal.SIGKILL)
                await asyncio.wait_for(self.process.wait(), timeout)
            finally:
                self._stopped = True
                self._log.close()

    def __repr__(self) -> str:
        return f"Replica(model={self.model!r}, kind={self.kind!r}, pid={self.pid}, base_url={self.base_url!r})"


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)  # own session: the group id is the engine's pid


async def _read_port(process: asyncio.subprocess.Process, deadline: float) -> tuple[str, int]:
    assert process.stdout is not None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ReplicaStartError("the engine did not report its port in time")
        try:
            line = await asyncio.wait_for(process.stdout.readline(), remaining)
        except TimeoutError:
            raise ReplicaStartError("the engine did not report its port in time") from None
        if not line:
            raise ReplicaStartError("the engine exited before listening")
        parts = line.decode("utf-8", "replace").split()
        if len(parts) == 3 and parts[0] == "LISTENING" and parts[2].isdigit():
            return parts[1], int(parts[2])


async def start_replica(
    *,
    model: str,
    kind: str = "chat",
    host: str = "127.0.0.1",
    port: int = 0,
    extra_args: Sequence[str] = (),
    ready_timeout: float = 30.0,
    exit_with_parent: bool = True,
    env: dict[str, str] | None = None,
) -> Replica:
    """Start one engine and return it once `/health` answers 200. `extra_args` go to the engine
    (e.g. ["--chunk-delay-ms", "50"]). With `exit_with_parent` the engine exits by itself when this
    process goes away, so a crashed control plane leaves no replica behind. Raises ReplicaStartError
    (the engine stopped and reaped) when it is not healthy within `ready_timeout` seconds."""
    if kind not in ("chat", "embedding"):
        raise ValueError(f"kind must be chat or embedding, not {kind!r}")
    args = [sys.executable, "-m", ENGINE_MODULE, "--host", host, "--port", str(port), "--model", model,
            "--kind", kind, *extra_args]
    if exit_with_parent:
        args.append("--exit-with-parent")
    log = tempfile.TemporaryFile(prefix="icgpu-devengine-")
    deadline = time.monotonic() + ready_timeout
    try:
        process = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=log,
            start_new_session=True, env={**os.environ, **(env or {})},
        )
    except BaseException:
        log.close()
        raise
    replica = Replica(process, host, port, model, kind, log)
    try:
        replica.host, replica.port = await _read_port(process, deadline)
        while not await replica.healthy():
            if not replica.running:
                raise ReplicaStartError(f"the engine exited with {process.returncode}")
            if time.monotonic() >= deadline:
                raise ReplicaStartError(f"the engine did not answer /health within {ready_timeout} s")
            await asyncio.sleep(_HEALTH_POLL_SECONDS)
    except BaseException as exc:
        tail = replica.log_tail()
        await replica.stop(timeout=2.0)
        if isinstance(exc, ReplicaStartError) and tail:
            raise ReplicaStartError(f"{exc}; stderr: {tail}") from None
        raise
    return replica
