"""The host executor of GPU function runs: it stands in for the container runtime.

With ``ICGPU_LOCAL_FUNCTION_EXEC`` on, a run's entrypoint runs on this host as a subprocess of the
server, through ``/bin/sh -c``, in its own working directory and its own session (so its process
group holds every child it starts), with:

* the run's input as JSON on stdin;
* an environment of ``PATH``, ``HOME`` (the working directory), ``LANG``, the function's env vars
  and secret env vars, ``ICGPU_RUN_ID`` and ``ICGPU_FUNCTION_ID`` (nothing else of the server's);
* stdout kept as the output (up to ``output_limit`` bytes), stderr as the logs (the last
  ``log_limit`` bytes).

At ``timeout`` seconds, or when cancelled, the whole process group is killed; when the entrypoint
exits, whatever it left running in its group is killed too. The image is not pulled: the
entrypoint runs with the host's tools.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class ExecResult:
    outcome: str  # "exited" | "timed_out"
    exit_code: int | None
    output: Any  # parsed JSON when stdout is JSON, else the text (None when empty)
    logs: str
    output_truncated: bool
    seconds: float


class _Capture:
    """Reads a stream to its end, keeping the first (``keep="head"``) or last bytes up to a limit."""

    def __init__(self, limit: int, keep: str) -> None:
        self.limit = limit
        self.keep = keep
        self.data = bytearray()
        self.truncated = False

    async def drain(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:
            return
        while chunk := await stream.read(65536):
            self.data += chunk
            if len(self.data) > self.limit:
                self.truncated = True
                self.data = self.data[:self.limit] if self.keep == "head" else self.data[-self.limit:]


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _parse_output(raw: bytes, truncated: bool) -> Any:
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return None
    if not truncated:
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


class HostExecutor:
    def __init__(self, root: Path, *, output_limit: int, log_limit: int) -> None:
        self.root = root
        self.output_limit = output_limit
        self.log_limit = log_limit

    async def run(self, run_id: str, function_id: str, entrypoint: str, payload: Any, env: dict[str, str],
                  limit_seconds: float) -> ExecResult:
        """Run to the end, the timeout or cancellation (the process group is killed on each)."""
        workdir = self.root / run_id
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True, mode=0o700)
        full_env = {"PATH": SAFE_PATH, "HOME": str(workdir), "LANG": "C.UTF-8", **env,
                    "ICGPU_RUN_ID": run_id, "ICGPU_FUNCTION_ID": function_id}
        started = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            "/bin/sh", "-c", entrypoint, cwd=workdir, env=full_env, start_new_session=True,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        pgid = proc.pid  # a new session: its leader's pid is the group id
        out = _Capture(self.output_limit, "head")
        err = _Capture(self.log_limit, "tail")
        readers = asyncio.gather(out.drain(proc.stdout), err.drain(proc.stderr))
        feeder = asyncio.create_task(self._feed(proc, payload))  # a process may never read its stdin
        try:
            timed_out = False
            try:
                await asyncio.wait_for(proc.wait(), limit_seconds)
            except TimeoutError:
                timed_out = True
            # Anything the entrypoint left behind (or all of it, on a timeout) goes with the group.
            _kill_group(pgid)
            await proc.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(readers), 5.0)
        except BaseException:  # cancelled: kill the tree before giving up
            feeder.cancel()
            _kill_group(pgid)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            readers.cancel()
            with contextlib.suppress(BaseException):
                await proc.wait()
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        readers.cancel()
        feeder.cancel()
        shutil.rmtree(workdir, ignore_errors=True)
        return ExecResult(
            outcome="timed_out" if timed_out else "exited",
            exit_code=None if timed_out else proc.returncode,
            output=_parse_output(bytes(out.data), out.truncated),
            logs=bytes(err.data).decode("utf-8", errors="replace"),
            output_truncated=out.truncated,
            seconds=time.monotonic() - started,
        )

    @staticmethod
    async def _feed(proc: asyncio.subprocess.Process, payload: Any) -> None:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            proc.stdin.write(json.dumps(payload).encode())
            await proc.stdin.drain()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            proc.stdin.close()
