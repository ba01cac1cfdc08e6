"""Benchmark: listing 100 instances over REST and GraphQL, against a bare baseline, in one run.

What it does (see bench/README.md for how to read the output):

1. Starts the real server (``icgpu serve``) on 127.0.0.1 with a fresh temp data dir and SQLite
   database (workers off, rate limit out of the way), bootstraps a tenant with the CLI and creates
   100 instances over REST.
2. Counts the SQL statements one GraphQL list request executes, for 10 and for 100 items, on an
   in-process copy of the app (uvicorn in a thread; a ``before_cursor_execute`` listener on the
   engine; background polling switched off so every statement seen belongs to the request).
   Fails if the 100-item count exceeds the 10-item count (an N+1).
3. Measures requests/second with one load generator (httpx.AsyncClient, keep-alive, fixed
   concurrency, fixed duration after a warm-up) for the bare baseline (bench/baseline_app.py on
   the same database file), REST and GraphQL, each with the API key and with the OIDC token.
   Every response is checked (200, the expected number of items) and any failure aborts the run.
4. Prints a table and stops every process it started by its own handle.

Usage: ``make bench`` or ``.venv/bin/python bench/list_instances.py [--duration 5] [--concurrency 8]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ICGPU = str(BIN / "icgpu")
HOST = "127.0.0.1"
ITEMS = 100
TENANT, EMAIL = "bench", "b@example.com"
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJlbmNoLWtleS1mb3ItbGlzdC1pbnN0YW5jZXMtMzJi bench@host"
START_TIMEOUT = 30.0
CLI_TIMEOUT = 30.0
TX_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})
BUDGET = 115.0  # seconds for the whole run; every wait below is bounded by it

GRAPHQL = ("{ instances(maxResults: %d) { items { id name status tier storageGb createdAt "
           "owner { id email } tierInfo { id pricePerHour } } nextToken } }")


class BenchError(RuntimeError):
    """A failed check: the run stops and exits non-zero."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise BenchError(f"the benchmark exceeded its {BUDGET:.0f} s budget")
        return min(cap, left)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# --- processes ------------------------------------------------------------------------------------


@dataclass
class Proc:
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

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the process so far (Linux /proc), or None elsewhere."""
        if self.popen is None:
            return None
        try:
            fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
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


# --- checks ---------------------------------------------------------------------------------------


def _body(r: httpx.Response, what: str) -> Any:
    if r.status_code != 200:
        raise BenchError(f"{what}: HTTP {r.status_code}: {r.text[:500]}")
    try:
        return r.json()
    except ValueError:
        raise BenchError(f"{what}: response is not JSON: {r.text[:500]}") from None


def check_rest(n: int) -> Callable[[httpx.Response], None]:
    def check(r: httpx.Response) -> None:
        items = _body(r, "REST").get("instances")
        if not isinstance(items, list) or len(items) != n:
            raise BenchError(f"REST: expected {n} instances, got {len(items) if isinstance(items, list) else items!r}")

    return check


def check_graphql(n: int) -> Callable[[httpx.Response], None]:
    def check(r: httpx.Response) -> None:
        data = _body(r, "GraphQL")
        if data.get("errors"):
            raise BenchError(f"GraphQL: errors: {json.dumps(data['errors'])[:500]}")
        items = data["data"]["instances"]["items"]
        if len(items) != n:
            raise BenchError(f"GraphQL: expected {n} items, got {len(items)}")
        if items[0]["owner"] is None or items[-1]["owner"]["email"] != EMAIL:
            raise BenchError(f"GraphQL: owner not resolved: {items[-1]['owner']!r}")

    return check


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
    requests: int
    seconds: float
    latencies_ms: list[float]
    client_cpu: float  # fraction of one core used by this process while measuring
    server_cpu: float | None  # fraction of one core used by the server process

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

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


async def run_slice(t: Target, *, concurrency: int, seconds: float, tally: Tally | None) -> None:
    """Closed loop for ``seconds``: ``concurrency`` workers each send a request as soon as their last
    one returned, over one keep-alive client. Every response is checked; those completing inside the
    slice are added to ``tally`` (None: a warm-up, nothing is counted)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    start = time.monotonic()
    end = start + seconds
    c0, s0 = time.process_time(), t.proc.cpu_seconds() if t.proc else None
    marks: list[tuple[float, float | None]] = []

    async with httpx.AsyncClient(base_url=t.base_url, headers=t.headers, limits=limits, timeout=30.0) as client:

        async def worker() -> None:
            while time.monotonic() < end:
                t0 = time.monotonic()
                r = await client.request(t.method, t.path, content=t.body)
                t1 = time.monotonic()
                try:
                    t.check(r)
                except BenchError as err:
                    raise BenchError(f"{t.label} ({t.auth}): {err}") from None
                if tally is not None and t1 <= end:
                    tally.latencies_ms.append((t1 - t0) * 1000)

        async def sample() -> None:
            await asyncio.sleep(max(0.0, end - time.monotonic()))
            marks.append((time.process_time(), t.proc.cpu_seconds() if t.proc else None))

        await asyncio.wait_for(asyncio.gather(sample(), *(worker() for _ in range(concurrency))),
                               timeout=seconds + 30)

    if tally is not None:
        c1, s1 = marks[0]
        tally.seconds += seconds
        tally.client_cpu_s += c1 - c0
        tally.server_cpu_s = (tally.server_cpu_s + s1 - s0
                              if tally.server_cpu_s is not None and s0 is not None and s1 is not None else None)


async def measure(targets: list[Target], *, concurrency: int, warmup: float, duration: float,
                  rounds: int, deadline: Deadline) -> list[Result]:
    """Warm every target up, then measure them in ``rounds`` interleaved slices of ``duration / rounds``
    seconds each (A B C ... A B C ...), so a burst of other work on the machine hits every target
    alike instead of one of them."""
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
        server = tally.server_cpu_s / tally.seconds if tally.server_cpu_s is not None else None
        results.append(Result(t, len(tally.latencies_ms), tally.seconds, tally.latencies_ms,
                              tally.client_cpu_s / tally.seconds, server))
    return results


# --- SQL statements per request (in-process server) -----------------------------------------------


@contextlib.contextmanager
def in_process_server(env: dict[str, str], public_url: str) -> Iterator[tuple[str, list[str]]]:
    """The same app on the same database, under uvicorn in a thread, with every SQL statement recorded.

    Background work is off (no workers; the event bus polls once an hour), so every statement
    recorded between a request's start and a short settle after its response is the request's own.
    """
    import uvicorn
    from sqlalchemy import event

    from icgpu.app import create_app
    from icgpu.platform import Platform
    from icgpu.settings import Settings

    # The subprocess server's settings, from the same environment, with the event bus quiet.
    same: dict[str, Any] = {k.removeprefix("ICGPU_").lower(): v for k, v in env.items() if k.startswith("ICGPU_")}
    same.update(public_url=public_url, run_workers=False, event_poll_interval_seconds=3600.0)
    settings = Settings.model_validate(same)
    platform = Platform(settings)
    statements: list[str] = []

    def _record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    # The store may keep a separate read engine (SQLite); listen on every engine it has.
    engines = getattr(platform.db, "engines", None) or (platform.db.engine,)
    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", _record)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, platform=platform), host=HOST, port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="icgpu-in-process", daemon=True)
    thread.start()
    try:
        end = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > end:
                raise BenchError("the in-process server did not start")
            time.sleep(0.05)
        yield f"http://{HOST}:{port}", statements
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        if thread.is_alive():
            raise BenchError("the in-process server did not stop within 15 s")


def count_statements(url: str, statements: list[str], credential: str, method: str, path: str,
                     body: bytes | None, check: Callable[[httpx.Response], None]) -> tuple[int, list[str]]:
    headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}
    with httpx.Client(base_url=url, headers=headers, timeout=30.0) as c:
        # Warm-up: the API key's last_used_at write (once a minute) and the OIDC account lookup
        # (memoised for 30 s) happen here, not in the counted request.
        check(c.request(method, path, content=body))
        time.sleep(0.2)
        before = len(statements)
        time.sleep(0.2)
        if len(statements) != before:
            raise BenchError(f"statements ran while idle, the count would be wrong: {statements[before:]}")
        check(c.request(method, path, content=body))
        time.sleep(0.2)  # anything the request left running finishes inside the count
        seen = statements[before:]
    return len(seen), seen


# --- the run --------------------------------------------------------------------------------------


def server_env(tmp: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICGPU_")}
    env.update({
        "ICGPU_DATA_DIR": str(tmp / "data"),
        "ICGPU_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'icgpu.db'}",
        "ICGPU_PUBLIC_URL": f"http://{HOST}:{port}",
        "ICGPU_RATE_LIMIT_API": "1000000000",
        "ICGPU_RATE_LIMIT_LLM": "1000000000",
        "ICGPU_RUN_WORKERS": "false",
        "ICGPU_TENANT_STORAGE_QUOTA_GB": "1000000",
    })
    return env


def cli(env: dict[str, str], deadline: Deadline, *args: str) -> str:
    try:
        done = subprocess.run([ICGPU, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=deadline.left(CLI_TIMEOUT))
    except subprocess.TimeoutExpired:
        raise BenchError(f"icgpu {' '.join(args)} timed out") from None
    if done.returncode != 0:
        raise BenchError(f"icgpu {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def create_instances(url: str, api_key: str, n: int) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30.0) as c:
        for i in range(n):
            r = c.post("/api/v1/instances", json={"name": f"bench-{i:03d}", "tier": "timesliced",
                                                  "storage_gb": 10, "ssh_key": SSH})
            if r.status_code != 201:
                raise BenchError(f"creating instance {i}: HTTP {r.status_code}: {r.text[:500]}")


def run(args: argparse.Namespace, tmp: Path, procs: list[Proc]) -> int:
    deadline = Deadline(BUDGET)
    port = free_port()
    env = server_env(tmp, port)
    url = f"http://{HOST}:{port}"
    print(f"== setup: data in {tmp}", flush=True)
    boot = json.loads(cli(env, deadline, "admin", "bootstrap", "--tenant", TENANT, "--email", EMAIL))
    api_key, token, account = boot["api_key"], boot["oidc_token"], boot["account_id"]
    if not token:
        raise BenchError("no OIDC token from bootstrap: the development issuer must be on")

    server = Proc("icgpu serve", [ICGPU, "serve", "--host", HOST, "--port", str(port), "--log-level", "warning"],
                  env, tmp / "server.log", url)
    procs.append(server)
    server.start(deadline)
    create_instances(url, api_key, ITEMS)
    print(f"   server {url} (pid {server.popen.pid if server.popen else '?'}); "
          f"tenant '{TENANT}' with {ITEMS} instances", flush=True)

    # Step 2: SQL statements per request, in-process.
    print("== SQL statements per request (in-process server, before_cursor_execute)", flush=True)
    counts: dict[tuple[str, str, int], tuple[int, list[str]]] = {}
    with in_process_server(env, url) as (local, statements):
        for auth, cred in (("API key", api_key), ("OIDC", token)):
            for n in (10, ITEMS):
                gql = json.dumps({"query": GRAPHQL % n}).encode()
                counts[("GraphQL", auth, n)] = count_statements(local, statements, cred, "POST", "/graphql", gql,
                                                                check_graphql(n))
                counts[("REST", auth, n)] = count_statements(
                    local, statements, cred, "GET", f"/api/v1/instances?maxResults={n}", None, check_rest(n))
    deadline.left(1)

    # Step 3: throughput.
    db_url = env["ICGPU_DATABASE_URL"]
    bport = free_port()
    baseline = Proc("baseline", [sys.executable, str(ROOT / "bench" / "baseline_app.py"), "--port", str(bport),
                                 "--database-url", db_url, "--log-level", "warning"],
                    env, tmp / "baseline.log", f"http://{HOST}:{bport}")
    procs.append(baseline)
    baseline.start(deadline)

    gql100 = json.dumps({"query": GRAPHQL % ITEMS}).encode()
    json_headers = {"Content-Type": "application/json"}
    targets = [
        Target("baseline (Starlette+SQLAlchemy)", "none", baseline.url, "GET",
               f"/instances?tenant={_tenant_id(tmp / 'icgpu.db')}&account={account}&maxResults={ITEMS}",
               check_rest(ITEMS), proc=baseline),
    ]
    for auth, cred in (("API key", api_key), ("OIDC", token)):
        bearer = {"Authorization": f"Bearer {cred}"}
        targets.append(Target("REST GET /api/v1/instances", auth, url, "GET", f"/api/v1/instances?maxResults={ITEMS}",
                              check_rest(ITEMS), headers=bearer, proc=server))
        targets.append(Target("GraphQL POST /graphql", auth, url, "POST", "/graphql", check_graphql(ITEMS),
                              headers={**bearer, **json_headers}, body=gql100, proc=server))

    print(f"== throughput: {ITEMS} items per response, concurrency {args.concurrency}, {args.warmup:g} s warm-up "
          f"each, then {args.duration:g} s each in {args.rounds} interleaved slices", flush=True)
    deadline.left(len(targets) * (args.warmup + args.duration) + 10)
    results = asyncio.run(measure(targets, concurrency=args.concurrency, warmup=args.warmup,
                                  duration=args.duration, rounds=args.rounds, deadline=deadline))

    report(results, counts, args)

    g10 = counts[("GraphQL", "API key", 10)][0], counts[("GraphQL", "OIDC", 10)][0]
    g100 = counts[("GraphQL", "API key", ITEMS)][0], counts[("GraphQL", "OIDC", ITEMS)][0]
    if any(b > a for a, b in zip(g10, g100, strict=True)):
        print(f"FAIL: a GraphQL list of {ITEMS} items runs more SQL statements than one of 10 "
              f"(API key {g10[0]} -> {g100[0]}, OIDC {g10[1]} -> {g100[1]}): an N+1 query", file=sys.stderr)
        shown = counts[("GraphQL", "API key", ITEMS)][1]
        for stmt in shown[:12]:
            print("   " + " ".join(stmt.split())[:160], file=sys.stderr)
        if len(shown) > 12:
            print(f"   ... and {len(shown) - 12} more", file=sys.stderr)
        return 1
    return 0


def _tenant_id(db: Path) -> str:
    """The tenant's id, for the baseline's WHERE clause (the same filter the service applies)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        row = conn.execute("SELECT id FROM tenants WHERE name = ?", (TENANT,)).fetchone()
    if row is None:
        raise BenchError(f"tenant {TENANT!r} not found in {db}")
    return str(row[0])


def _split(statements: list[str]) -> str:
    """"3 + 3 BEGIN": queries, plus the transaction-control statements around them."""
    control = [x for x in statements if x.split(None, 1)[0].upper() in TX_CONTROL]
    queries = len(statements) - len(control)
    kinds = sorted({x.split(None, 1)[0].upper() for x in control})
    return f"{queries}" + "".join(f" + {sum(1 for x in control if x.split(None, 1)[0].upper() == k)} {k}"
                                  for k in kinds)


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def report(results: list[Result], counts: dict[tuple[str, str, int], tuple[int, list[str]]],
           args: argparse.Namespace) -> None:
    base = results[0].rps
    print()
    print(f"IC GPU list-instances benchmark — {ITEMS} items per response, SQLite, concurrency {args.concurrency}, "
          f"{args.duration:g} s measured ({args.rounds} interleaved slices) after {args.warmup:g} s warm-up, "
          f"{os.cpu_count()} CPUs, load average {args.loadavg} before the run")
    head = (f"{'endpoint':<34} {'auth':<8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'client CPU':>10} {'server CPU':>10} {'÷ baseline':>10}")
    print(head)
    print("-" * len(head))
    for r in results:
        scpu = f"{r.server_cpu:.0%}" if r.server_cpu is not None else "n/a"
        print(f"{r.target.label:<34} {r.target.auth:<8} {r.rps:8.1f} {r.pct(0.5):7.1f} {r.pct(0.99):7.1f} "
              f"{r.client_cpu:>10.0%} {scpu:>10} {r.rps / base:>10.2f}")
    by = {(r.target.label.split()[0], r.target.auth): r.rps for r in results}
    print()
    for auth in ("API key", "OIDC"):
        print(f"ratios ({auth:<7}): REST/baseline = {by[('REST', auth)] / base:.2f}   "
              f"GraphQL/baseline = {by[('GraphQL', auth)] / base:.2f}   "
              f"GraphQL/REST = {by[('GraphQL', auth)] / by[('REST', auth)]:.2f}")
    if any(r.client_cpu > 0.9 for r in results):
        print("note: client CPU above 90% means the load generator, not the server, limited that row")
    print()
    print("SQL statements per request — one request after a warm-up one, on the in-process server;")
    print("\"3 + 3 BEGIN\" means three queries, each in its own read transaction:")
    print(f"{'request':<40} {'auth':<8} {'10 items':>16} {f'{ITEMS} items':>16}")
    for api in ("GraphQL", "REST"):
        for auth in ("API key", "OIDC"):
            label = ("GraphQL instances(maxResults: N)" if api == "GraphQL"
                     else "REST GET /api/v1/instances?maxResults=N")
            print(f"{label:<40} {auth:<8} {_split(counts[(api, auth, 10)][1]):>16} "
                  f"{_split(counts[(api, auth, ITEMS)][1]):>16}")
    if args.show_sql:
        for key in (("GraphQL", "API key", ITEMS), ("GraphQL", "OIDC", ITEMS)):
            print(f"\nstatements of {key[0]} ({key[1]}, {key[2]} items):")
            for stmt in counts[key][1]:
                print("   " + " ".join(stmt.split())[:200])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Requests/second for listing 100 instances: REST, GraphQL, baseline.")
    p.add_argument("--duration", type=float, default=5.0, help="measured seconds per target (0 < s <= 10)")
    p.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per target (0 <= s <= 3)")
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight (1-64)")
    p.add_argument("--rounds", type=int, default=5,
                   help="interleaved slices the measured time of each target is split into (1-10)")
    p.add_argument("--show-sql", action="store_true", help="print the statements of the 100-item GraphQL requests")
    args = p.parse_args(argv)
    # Five targets at (3 + 10) s at most, plus each slice's last in-flight requests and the setup,
    # keep the whole run under two minutes; the deadline (BUDGET) enforces it.
    if not 0 < args.duration <= 10:
        p.error("--duration must be in (0, 10]")
    if not 0 <= args.warmup <= 3:
        p.error("--warmup must be in [0, 3]")
    if not 1 <= args.concurrency <= 64:
        p.error("--concurrency must be in [1, 64]")
    if not 1 <= args.rounds <= 10:
        p.error("--rounds must be in [1, 10]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.loadavg = _loadavg()  # other work on the machine skews absolute figures; it is printed
    # The servers get exactly the settings below: none leak in from this shell.
    for key in [k for k in os.environ if k.startswith("ICGPU_")]:
        del os.environ[key]
    tmp = Path(tempfile.mkdtemp(prefix="icgpu-bench-"))
    procs: list[Proc] = []
    started = time.monotonic()
    try:
        status = run(args, tmp, procs)
    except BenchError as err:
        print(f"FAIL: {err}", file=sys.stderr)
        status = 1
    finally:
        for p in reversed(procs):
            p.stop()
    if status == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"(logs kept in {tmp})", file=sys.stderr)
    print(f"\ntotal time {time.monotonic() - started:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
