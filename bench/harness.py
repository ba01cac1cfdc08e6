"""What every benchmark here shares: a deadline, server processes, and one closed-loop load generator.

The load generator measures targets in interleaved slices (A B C, A B C, ...) so a burst of other
work on the machine lands on every target alike, and reads each server's CPU time from
``/proc/<pid>/stat`` (user + system, all threads) around every slice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ICGPU = str(Path(sys.executable).parent / "icgpu")
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
CLI_TIMEOUT = 30.0


class BenchError(RuntimeError):
    """A failed check: the run stops and exits non-zero."""


class Deadline:
    """The whole run's time budget; every wait is bounded by what is left of it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise BenchError(f"the benchmark exceeded its {self.seconds:.0f} s budget")
        return min(cap, left)

    def require(self, seconds: float, what: str) -> None:
        """Fail now rather than half-way if ``what`` (``seconds`` long) cannot finish in time."""
        if self.end - time.monotonic() < seconds:
            raise BenchError(f"not enough of the {self.seconds:.0f} s budget left for {what} "
                             f"({seconds:.0f} s needed)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def cli(env: dict[str, str], deadline: Deadline, *args: str) -> str:
    """Run ``icgpu <args>`` with ``env``; its stdout, or BenchError."""
    try:
        done = subprocess.run([ICGPU, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=deadline.left(CLI_TIMEOUT))
    except subprocess.TimeoutExpired:
        raise BenchError(f"icgpu {' '.join(args)} timed out") from None
    if done.returncode != 0:
        raise BenchError(f"icgpu {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


# --- processes ------------------------------------------------------------------------------------


@dataclass
class Proc:
    """A server subprocess, ready once ``/readyz`` answers 200; stopped by its own handle."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    url: str
    popen: subprocess.Popen[bytes] | None = None

    def start(self, deadline: Deadline) -> Proc:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        end = time.monotonic() + deadline.left(START_TIMEOUT)
        while time.monotonic() < end:
            if self.popen.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/readyz", timeout=1.0).status_code == 200:
                    return self
            time.sleep(0.1)
        raise BenchError(f"{self.name} did not become ready in {START_TIMEOUT:.0f} s:\n{self.tail()}")

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the process so far, all its threads (Linux /proc), or None elsewhere."""
        if self.popen is None:
            return None
        try:
            fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # After the ")" closing the command name: state is field 0, utime 11, stime 12 (proc(5)).
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        self.popen = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


# --- load generator -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    label: str
    auth: str
    base_url: str
    method: str
    path: str
    check: Callable[[httpx.Response], None]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    proc: Proc | None = None  # the server process, for its CPU time


@dataclass(frozen=True)
class Result:
    target: Target
    requests: int  # completed inside the measured window
    seconds: float  # the measured window
    latencies_ms: list[float]
    client_cpu: float  # fraction of one core used by this process while measuring
    server_cpu_s: float | None  # server CPU seconds from each slice's start until its last response
    server_span_s: float  # the wall time those CPU seconds were read over
    served: int  # every request answered in those spans (the window's plus those finishing after it)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def server_cpu(self) -> float | None:
        """Fraction of one core the server used while measured."""
        return self.server_cpu_s / self.server_span_s if self.server_cpu_s is not None else None

    @property
    def cpu_ms(self) -> float | None:
        """Server CPU milliseconds per request: its CPU time from each slice's start until the slice's
        last response, divided by the requests answered in that time (no request is half in it)."""
        return self.server_cpu_s * 1000 / self.served if self.server_cpu_s is not None else None

    def pct(self, q: float) -> float:
        lat = sorted(self.latencies_ms)
        return lat[min(len(lat) - 1, int(q * len(lat)))]


@dataclass
class Tally:
    """What one target's measured slices added up to."""

    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu_s: float = 0.0
    server_cpu_s: float | None = 0.0
    server_span_s: float = 0.0
    served: int = 0


async def run_slice(t: Target, *, concurrency: int, seconds: float, tally: Tally | None) -> None:
    """Closed loop for ``seconds``: ``concurrency`` workers each send a request as soon as their last
    one returned, over one keep-alive client. Every response is checked; those completing inside the
    slice are added to ``tally`` (None: a warm-up, nothing is counted).

    The server's CPU time is read when the slice starts (nothing in flight) and after its last
    response (nothing in flight again), so CPU per request divides whole requests' work by their
    number; requests/s and latencies count only responses completed inside the slice."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    start = time.monotonic()
    end = start + seconds
    c0, s0 = time.process_time(), t.proc.cpu_seconds() if t.proc else None
    marks: list[float] = []
    served = 0

    async with httpx.AsyncClient(base_url=t.base_url, headers=t.headers, limits=limits, timeout=30.0) as client:

        async def worker() -> None:
            nonlocal served
            while time.monotonic() < end:
                t0 = time.monotonic()
                r = await client.request(t.method, t.path, content=t.body)
                t1 = time.monotonic()
                try:
                    t.check(r)
                except BenchError as err:
                    raise BenchError(f"{t.label} ({t.auth}): {err}") from None
                served += 1
                if tally is not None and t1 <= end:
                    tally.latencies_ms.append((t1 - t0) * 1000)

        async def sample() -> None:
            await asyncio.sleep(max(0.0, end - time.monotonic()))
            marks.append(time.process_time())

        await asyncio.wait_for(asyncio.gather(sample(), *(worker() for _ in range(concurrency))),
                               timeout=seconds + 30)
        s1 = t.proc.cpu_seconds() if t.proc else None
        done = time.monotonic()

    if tally is not None:
        tally.seconds += seconds
        tally.client_cpu_s += marks[0] - c0
        tally.served += served
        tally.server_span_s += done - start
        tally.server_cpu_s = (tally.server_cpu_s + s1 - s0
                              if tally.server_cpu_s is not None and s0 is not None and s1 is not None else None)


async def measure(targets: list[Target], *, concurrency: int, warmup: float, duration: float,
                  rounds: int, deadline: Deadline) -> list[Result]:
    """Warm every target up, then measure them in ``rounds`` interleaved slices of ``duration / rounds``
    seconds each (A B C ... A B C ...), so a burst of other work on the machine hits every target
    alike instead of one of them."""
    deadline.require(len(targets) * (warmup + duration) + 5, "the measurement")
    for t in targets:
        deadline.left(1)
        await run_slice(t, concurrency=concurrency, seconds=warmup, tally=None)
    tallies = [Tally() for _ in targets]
    for _ in range(rounds):
        for t, tally in zip(targets, tallies, strict=True):
            deadline.left(1)
            await run_slice(t, concurrency=concurrency, seconds=duration / rounds, tally=tally)
    results = []
    for t, tally in zip(targets, tallies, strict=True):
        if not tally.latencies_ms:
            raise BenchError(f"{t.label} ({t.auth}): no request completed in the measured window")
        results.append(Result(t, len(tally.latencies_ms), tally.seconds, tally.latencies_ms,
                              tally.client_cpu_s / tally.seconds, tally.server_cpu_s, tally.server_span_s,
                              tally.served))
    return results


def verdict(value: float, target: float, *, at_most: bool = False) -> str:
    """``PASS`` when ``value`` meets ``target`` (>= by default, <= with ``at_most``), else ``MISS``."""
    ok = value <= target if at_most else value >= target
    return "PASS" if ok else "MISS"
