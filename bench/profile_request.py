"""Where a request's CPU goes: the app driven in-process through raw ASGI calls (no sockets, no
HTTP server, no client), so the CPU measured is the request path's own.

    .venv/bin/python bench/profile_request.py [--requests 400] [--concurrency 8]
        [--profile rest|graphql|baseline|gateway] [--only ...] [--fast-paths true|false]

Sets up a SQLite database in a temp dir (or, with ``--database postgresql --database-url URL``, a
database of its own on that PostgreSQL cluster, dropped at the end): ``icgpu admin bootstrap`` + 100
instances over the API; then for each target (REST list, GraphQL list as in list_instances.py, the baseline app) runs
``--requests`` requests, ``--concurrency`` at a time, and prints CPU ms per request (process CPU,
every thread: aiosqlite's included). ``--profile`` runs that target once more under cProfile and
prints the top functions by cumulative and by own time (the main thread only). The ``gateway``
target is a /v1 chat completion through the gateway to bench/gateway_upstream.py (another process,
so its CPU is not counted), metered with the default batched settlements. A tool for working on the
request path; bench/list_instances.py and bench/gateway.py are the benchmarks of record.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import backends
from gateway import BODY as CHAT_BODY
from gateway import MODEL
from harness import HOST, free_port
from list_instances import GRAPHQL, TENANT, server_env  # type: ignore[attr-defined]
from tenant_sizes import SSH

ASGIApp = Callable[..., Awaitable[None]]
TARGETS = ("rest", "graphql", "baseline", "gateway")
ITEMS = 100


async def call(app: ASGIApp, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
        "query_string": query.encode(), "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in
                    {**headers, "host": "127.0.0.1", "content-length": str(len(body))}.items()],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # a disconnect never comes
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def lifespan(app: ASGIApp) -> Callable[[], Awaitable[None]]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                   inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await asyncio.wait_for(outbox.get(), 60)
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"startup failed: {started}")

    async def stop() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(outbox.get(), 60)
        await asyncio.wait_for(task, 60)

    return stop


async def run_many(make: Callable[[], Awaitable[tuple[int, bytes]]], n: int, concurrency: int) -> float:
    """CPU ms per request over ``n`` requests, ``concurrency`` at a time."""
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            status, body = await make()
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:300]!r}")

    start = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.process_time() - start) * 1000 / n


def start_upstream(port: int) -> subprocess.Popen[bytes]:
    """bench/gateway_upstream.py on ``port``, once it answers."""
    import httpx

    proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("gateway_upstream.py")), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 15
    while time.monotonic() < end:
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1.0).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the upstream did not start")


def bootstrap(args: argparse.Namespace, tmp: Path, upstream_port: int,
              db: backends.BenchDatabase) -> tuple[dict[str, str], dict[str, Any]]:
    env = server_env(tmp, 8000, db.url)
    env["ICGPU_FAST_PATHS"] = args.fast_paths
    env["ICGPU_MODEL_UPSTREAMS"] = json.dumps({MODEL: f"http://{HOST}:{upstream_port}/v1"})
    env["ICGPU_RATE_LIMIT_LLM"] = "1000000000"
    icgpu = str(Path(sys.executable).with_name("icgpu"))
    boot = json.loads(subprocess.run([icgpu, "admin", "bootstrap", "--tenant", TENANT, "--email", "b@example.com"],
                                     env=env, check=True, capture_output=True, text=True, timeout=120).stdout)
    subprocess.run([icgpu, "admin", "tokens", "grant", "--tenant", TENANT, "--amount", "2000000000"],
                   env=env, check=True, capture_output=True, text=True, timeout=120)
    os.environ.update({k: v for k, v in env.items() if k.startswith("ICGPU_")})
    return env, boot


async def main_async(args: argparse.Namespace, env: dict[str, str], boot: dict[str, Any]) -> None:

    from baseline_app import make_app

    from icgpu.app import create_app
    from icgpu.settings import Settings

    app: ASGIApp = create_app(Settings())
    stop = await lifespan(app)
    try:
        auth = {"authorization": f"Bearer {boot['api_key']}"}
        for i in range(ITEMS):
            body = json.dumps({"name": f"bench-{i:03d}", "tier": "timesliced", "storage_gb": 10, "ssh_key": SSH})
            status, out = await call(app, "POST", "/api/v1/instances", {**auth, "content-type": "application/json"},
                                     body.encode())
            if status != 201:
                raise RuntimeError(out)
        base = make_app(env["ICGPU_DATABASE_URL"])
        from sqlalchemy import select

        from icgpu.db.tables import Tenant

        async with base.state.engine.connect() as conn:
            tenant_id = (await conn.execute(select(Tenant.id).where(Tenant.name == TENANT))).scalar_one()
        gql = json.dumps({"query": GRAPHQL % ITEMS}).encode()
        targets: dict[str, Callable[[], Awaitable[tuple[int, bytes]]]] = {
            "baseline": lambda: call(base, "GET", f"/instances?tenant={tenant_id}&account={boot['account_id']}"
                                                  f"&maxResults={ITEMS}", {}),
            "rest": lambda: call(app, "GET", f"/api/v1/instances?maxResults={ITEMS}", auth),
            "graphql": lambda: call(app, "POST", "/graphql", {**auth, "content-type": "application/json"}, gql),
            "gateway": lambda: call(app, "POST", "/v1/chat/completions", {**auth, "content-type": "application/json"},
                                    CHAT_BODY),
        }
        if args.only:
            targets = {args.only: targets[args.only]}
        for make in targets.values():
            await run_many(make, 30, args.concurrency)  # warm-up
        seen: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.rounds):  # interleaved, so a burst of other work lands on every target
            for name, make in targets.items():
                seen[name].append(await run_many(make, args.requests, args.concurrency))
        for name, values in seen.items():
            print(f"{name:10s} CPU ms/req  median {statistics.median(values):6.2f}  min {min(values):6.2f}", flush=True)
        for a, b in (("baseline", "rest"), ("rest", "graphql")):
            if a in seen and b in seen:
                print(f"{a} / {b} (CPU)  median {statistics.median(seen[a]) / statistics.median(seen[b]):.2f}"
                      f"  min {min(seen[a]) / min(seen[b]):.2f}")
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            await run_many(targets[args.profile], args.requests, args.concurrency)
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats("cumulative").print_stats(args.lines)
            stats.sort_stats("tottime").print_stats(args.lines)
        await base.state.engine.dispose()
    finally:
        await stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--profile", choices=TARGETS)
    parser.add_argument("--only", choices=TARGETS, help="measure this target alone")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--fast-paths", default="true", choices=("true", "false"))
    parser.add_argument("--database", default="sqlite", choices=backends.BACKENDS)
    parser.add_argument("--database-url", help="with --database postgresql: a cluster URL (scripts/pg-up.sh "
                                               "prints one); the run creates and drops its own database there")
    args = parser.parse_args()
    port = free_port()
    upstream = start_upstream(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = backends.create(args.database, Path(tmp), args.database_url)
            try:
                env, boot = bootstrap(args, Path(tmp), port, db)
                asyncio.run(main_async(args, env, boot))
            finally:
                db.drop()
    finally:
        upstream.kill()
        upstream.wait(10)


if __name__ == "__main__":
    main()
