"""Benchmark: listing 100 instances over REST and GraphQL against a bare baseline, and by tenant size.

What one run does (see bench/README.md for how to read the output):

1. Starts the real server (``icgpu serve``) on 127.0.0.1 with a fresh temp data dir and a fresh
   database (SQLite file, or ``--database postgresql``: a new database on the cluster given by
   ``--database-url``), workers off, rate limit out of the way; bootstraps a tenant with the CLI and
   creates 100 instances over REST.
2. Counts the SQL statements of each measured request, for 10 and 100 items, on in-process copies
   of the app and of the baseline (a ``before_cursor_execute`` listener on their engines). Fails if
   a 100-item GraphQL list runs more statements than a 10-item one (an N+1), or than REST's list.
3. Table 1: requests/s, p50/p99 latency and server CPU ms per request (from /proc, all threads) for
   the bare baseline (bench/baseline_app.py, same database), REST and GraphQL, each with the API key
   and the OIDC token, measured in interleaved slices; then the ratios issue 7 sets targets for,
   each with its target and PASS/MISS.
4. Table 2: REST list latency for tenants of 100, 10,000 and 100,000 instances (bench/tenant_sizes.py:
   people and teams through the CLI and API, instances bulk-inserted), and latency@100k / latency@100.
5. Every response is checked; a bad one aborts the run with exit 1. Every process it started is
   stopped by its own handle; a PostgreSQL database it created is dropped.

Usage: ``make bench`` or ``.venv/bin/python bench/list_instances.py [--database postgresql --database-url URL]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import backends
import httpx
import sql_count
import tenant_sizes
from harness import (
    HOST,
    ICGPU,
    ROOT,
    BenchError,
    Deadline,
    Proc,
    Result,
    Target,
    cli,
    free_port,
    loadavg,
    measure,
    verdict,
)

ITEMS = 100
TENANT, EMAIL = "bench", "b@example.com"
BUDGET = 290.0  # seconds for the whole run; every wait is bounded by it (`make bench` stays under 5 minutes)

GRAPHQL = ("{ instances(maxResults: %d) { items { id name status tier storageGb createdAt "
           "owner { id email } tierInfo { id pricePerHour } } nextToken } }")

# issue 7, "Done when"
REST_VS_BASELINE = 0.75
GRAPHQL_VS_REST = 0.85
P99_VS_BASELINE = 1.5


# --- checks ---------------------------------------------------------------------------------------


def _body(r: httpx.Response, what: str) -> Any:
    if r.status_code != 200:
        raise BenchError(f"{what}: HTTP {r.status_code}: {r.text[:500]}")
    try:
        return r.json()
    except ValueError:
        raise BenchError(f"{what}: response is not JSON: {r.text[:500]}") from None


def check_rest(n: int, ids: list[str] | None = None) -> Callable[[httpx.Response], None]:
    """200 with ``n`` instances (and, given ``ids``, exactly those, in that order)."""

    def check(r: httpx.Response) -> None:
        items = _body(r, "REST").get("instances")
        if not isinstance(items, list) or len(items) != n:
            raise BenchError(f"REST: expected {n} instances, got {len(items) if isinstance(items, list) else items!r}")
        if ids is not None and [i["id"] for i in items] != ids:
            raise BenchError("REST: not the expected instances")

    return check


def check_graphql(n: int, ids: list[str] | None = None) -> Callable[[httpx.Response], None]:
    """No errors, ``n`` items (given ``ids``, exactly those), owner and tierInfo resolved."""

    def check(r: httpx.Response) -> None:
        data = _body(r, "GraphQL")
        if data.get("errors"):
            raise BenchError(f"GraphQL: errors: {json.dumps(data['errors'])[:500]}")
        items = data["data"]["instances"]["items"]
        if len(items) != n:
            raise BenchError(f"GraphQL: expected {n} items, got {len(items)}")
        if ids is not None and [i["id"] for i in items] != ids:
            raise BenchError("GraphQL: not the expected instances")
        if items[0]["owner"] is None or items[-1]["owner"]["email"] != EMAIL:
            raise BenchError(f"GraphQL: owner not resolved: {items[-1]['owner']!r}")
        if items[-1]["tierInfo"] is None or items[-1]["tierInfo"]["id"] != items[-1]["tier"]:
            raise BenchError(f"GraphQL: tierInfo not resolved: {items[-1]['tierInfo']!r}")

    return check


def same_as_rest(url: str, api_key: str, baseline_url: str, baseline_path: str) -> list[str]:
    """The baseline must do the same work: the same rows, fields and values as REST, in the same order.
    Returns the page's ids, which every measured response must then list."""
    rest = _body(httpx.get(f"{url}/api/v1/instances?maxResults={ITEMS}",
                           headers={"Authorization": f"Bearer {api_key}"}, timeout=30.0), "REST")
    base = _body(httpx.get(baseline_url + baseline_path, timeout=30.0), "baseline")
    if rest != base:
        diff = sorted(set(rest["instances"][0]) ^ set(base["instances"][0])) if rest.get("instances") else []
        raise BenchError(f"the baseline's body differs from REST's (fields only on one side: {diff}); "
                         "bench/baseline_app.py must return what GET /api/v1/instances does")
    return [i["id"] for i in rest["instances"]]


# --- setup ----------------------------------------------------------------------------------------


def server_env(tmp: Path, port: int, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICGPU_")}
    env.update({
        "ICGPU_DATA_DIR": str(tmp / "data"),
        "ICGPU_DATABASE_URL": database_url,
        "ICGPU_PUBLIC_URL": f"http://{HOST}:{port}",
        "ICGPU_RATE_LIMIT_API": "1000000000",
        "ICGPU_RATE_LIMIT_LLM": "1000000000",
        "ICGPU_RUN_WORKERS": "false",
        "ICGPU_TENANT_STORAGE_QUOTA_GB": "1000000",
    })
    return env


def create_instances(url: str, api_key: str, n: int) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {api_key}"}, timeout=30.0) as c:
        for i in range(n):
            r = c.post("/api/v1/instances", json={"name": f"bench-{i:03d}", "tier": "timesliced",
                                                  "storage_gb": 10, "ssh_key": tenant_sizes.SSH})
            if r.status_code != 201:
                raise BenchError(f"creating instance {i}: HTTP {r.status_code}: {r.text[:500]}")


Counts = dict[tuple[str, str, int], list[str]]  # (api, auth, items) -> the statements one request ran


def count_all(env: dict[str, str], url: str, creds: dict[str, str], baseline_path: str) -> Counts:
    counts: Counts = {}
    with sql_count.icgpu_in_process(env, url) as (local, statements):
        for auth, cred in creds.items():
            headers = {"Authorization": f"Bearer {cred}", "Content-Type": "application/json"}
            for n in (10, ITEMS):
                gql = json.dumps({"query": GRAPHQL % n}).encode()
                counts[("GraphQL", auth, n)] = sql_count.count_statements(
                    local, statements, headers, "POST", "/graphql", gql, check_graphql(n))
                counts[("REST", auth, n)] = sql_count.count_statements(
                    local, statements, headers, "GET", f"/api/v1/instances?maxResults={n}", None, check_rest(n))
    with sql_count.baseline_in_process(env["ICGPU_DATABASE_URL"]) as (local, statements):
        for n in (10, ITEMS):
            counts[("baseline", "none", n)] = sql_count.count_statements(
                local, statements, {}, "GET", baseline_path.replace(f"maxResults={ITEMS}", f"maxResults={n}"),
                None, check_rest(n))
    return counts


# --- the run --------------------------------------------------------------------------------------


def run(args: argparse.Namespace, tmp: Path, procs: list[Proc], db: backends.BenchDatabase) -> int:
    deadline = Deadline(BUDGET)
    port = free_port()
    env = server_env(tmp, port, db.url)
    url = f"http://{HOST}:{port}"
    print(f"== setup: {db.label} database, data in {tmp}", flush=True)
    boot = json.loads(cli(env, deadline, "admin", "bootstrap", "--tenant", TENANT, "--email", EMAIL))
    api_key, token, account = boot["api_key"], boot["oidc_token"], boot["account_id"]
    if not token:
        raise BenchError("no OIDC token from bootstrap: the development issuer must be on")

    server = Proc("icgpu serve", [ICGPU, "serve", "--host", HOST, "--port", str(port), "--log-level", "warning"],
                  env, tmp / "server.log", url)
    procs.append(server)
    server.start(deadline)
    create_instances(url, api_key, ITEMS)
    print(f"   server {url} (pid {server.pid}); tenant '{TENANT}' with {ITEMS} instances", flush=True)
    baseline_path = (f"/instances?tenant={backends.tenant_id(db.url, TENANT)}&account={account}"
                     f"&maxResults={ITEMS}")
    creds = {"API key": api_key, "OIDC": token}

    print("== SQL statements per request (in-process servers, before_cursor_execute)", flush=True)
    counts = count_all(env, url, creds, baseline_path)
    deadline.left(1)

    bport = free_port()
    baseline = Proc("baseline", [sys.executable, str(ROOT / "bench" / "baseline_app.py"), "--port", str(bport),
                                 "--database-url", db.url, "--log-level", "warning"],
                    env, tmp / "baseline.log", f"http://{HOST}:{bport}")
    procs.append(baseline)
    baseline.start(deadline)
    ids = same_as_rest(url, api_key, baseline.url, baseline_path)

    gql100 = json.dumps({"query": GRAPHQL % ITEMS}).encode()
    targets = [Target("baseline (Starlette+SQLAlchemy)", "none", baseline.url, "GET", baseline_path,
                      check_rest(ITEMS, ids), proc=baseline)]
    for auth, cred in creds.items():
        bearer = {"Authorization": f"Bearer {cred}"}
        targets.append(Target("REST GET /api/v1/instances", auth, url, "GET", f"/api/v1/instances?maxResults={ITEMS}",
                              check_rest(ITEMS, ids), headers=bearer, proc=server))
        targets.append(Target("GraphQL POST /graphql", auth, url, "POST", "/graphql", check_graphql(ITEMS, ids),
                              headers={**bearer, "Content-Type": "application/json"}, body=gql100, proc=server))

    print(f"== table 1: {ITEMS} items per response, concurrency {args.concurrency}, {args.warmup:g} s warm-up "
          f"each, then {args.duration:g} s each in {args.rounds} interleaved slices", flush=True)
    results = asyncio.run(measure(targets, concurrency=args.concurrency, warmup=args.warmup,
                                  duration=args.duration, rounds=args.rounds, deadline=deadline))
    baseline.stop()
    misses = report(results, counts, args, db.label)

    if args.sizes:
        print(f"\n== table 2: tenants of {', '.join(f'{n:,}' for n in args.sizes)} instances "
              "(people and teams over the CLI/API, instances bulk-inserted)", flush=True)
        began = time.monotonic()
        tenants = tenant_sizes.populate(env, url, db.url, args.sizes, deadline)
        print(f"   populated in {time.monotonic() - began:.1f} s", flush=True)
        sized = asyncio.run(measure(tenant_sizes.targets(tenants, url, server), concurrency=args.size_concurrency,
                                    warmup=args.warmup, duration=args.duration, rounds=args.rounds,
                                    deadline=deadline))
        misses += tenant_sizes.report(tenants, sized, concurrency=args.size_concurrency, duration=args.duration,
                                      rounds=args.rounds, warmup=args.warmup, backend=db.label)

    print()
    print(f"targets missed: {len(misses)}" + "".join(f"\n   MISS {m}" for m in misses))
    return n_plus_one(counts) or more_than_rest(counts)


def more_than_rest(counts: Counts) -> int:
    """1 when GraphQL's list (owner and tier included) runs more statements than REST's: the list
    statement joins the owners in (``InstanceService.list(..., with_owner=True)``)."""
    more = [auth for auth in ("API key", "OIDC")
            if len(counts[("GraphQL", auth, ITEMS)]) > len(counts[("REST", auth, ITEMS)])]
    if not more:
        return 0
    print(f"FAIL: GraphQL's list of {ITEMS} items runs more SQL statements than REST's ({', '.join(more)})",
          file=sys.stderr)
    for stmt in counts[("GraphQL", more[0], ITEMS)][:12]:
        print("   " + " ".join(stmt.split())[:160], file=sys.stderr)
    return 1


def n_plus_one(counts: Counts) -> int:
    """1 (and the statements) when a 100-item GraphQL list runs more queries than a 10-item one."""
    grew = [auth for auth in ("API key", "OIDC")
            if len(counts[("GraphQL", auth, ITEMS)]) > len(counts[("GraphQL", auth, 10)])]
    if not grew:
        return 0
    print(f"FAIL: a GraphQL list of {ITEMS} items runs more SQL statements than one of 10 "
          f"({', '.join(grew)}): an N+1 query", file=sys.stderr)
    shown = counts[("GraphQL", grew[0], ITEMS)]
    for stmt in shown[:12]:
        print("   " + " ".join(stmt.split())[:160], file=sys.stderr)
    if len(shown) > 12:
        print(f"   ... and {len(shown) - 12} more", file=sys.stderr)
    return 1


# --- table 1 --------------------------------------------------------------------------------------


def _efficiency(reference: Result, subject: Result) -> float | None:
    """CPU per request of ``reference`` / that of ``subject``: 0.75 means ``subject`` spends 1.33x."""
    if reference.cpu_ms is None or not subject.cpu_ms:
        return None
    return reference.cpu_ms / subject.cpu_ms


def report(results: list[Result], counts: Counts, args: argparse.Namespace, backend: str) -> list[str]:
    """Print table 1, the ratios with their targets, and the SQL statements; return the MISSes."""
    base = results[0]
    print()
    print(f"IC GPU list-instances benchmark — {ITEMS} items per response, {backend}, concurrency {args.concurrency}, "
          f"{args.duration:g} s measured ({args.rounds} interleaved slices) after {args.warmup:g} s warm-up, "
          f"{os.cpu_count()} CPUs, load average {args.loadavg} before the run")
    head = (f"{'endpoint':<32} {'auth':<7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10} "
            f"{'server CPU':>10} {'client CPU':>10} {'SQL/req':>7} {'÷ baseline':>10}")
    print(head)
    print("-" * len(head))
    for r in results:
        api = r.target.label.split()[0]
        stmts = counts[(api, r.target.auth, ITEMS)]
        cpu_ms = f"{r.cpu_ms:.2f}" if r.cpu_ms is not None else "n/a"
        scpu = f"{r.server_cpu:.0%}" if r.server_cpu is not None else "n/a"
        print(f"{r.target.label:<32} {r.target.auth:<7} {r.rps:7.1f} {r.pct(0.5):7.1f} {r.pct(0.99):7.1f} "
              f"{cpu_ms:>10} {scpu:>10} {r.client_cpu:>10.0%} {sql_count.queries(stmts):>7} {r.rps / base.rps:>10.2f}")
    if any(r.client_cpu > 0.9 for r in results):
        print("note: client CPU above 90% means the load generator, not the server, limited that row")

    by = {(r.target.label.split()[0], r.target.auth): r for r in results}
    lines: list[tuple[str, str, float, bool, dict[str, float | None]]] = []
    rest = {auth: by[("REST", auth)] for auth in ("API key", "OIDC")}
    gql = {auth: by[("GraphQL", auth)] for auth in ("API key", "OIDC")}
    lines.append(("REST / baseline, requests/s", "≥", REST_VS_BASELINE, False,
                  {a: rest[a].rps / base.rps for a in rest}))
    lines.append(("REST / baseline, CPU per request ¹", "≥", REST_VS_BASELINE, False,
                  {a: _efficiency(base, rest[a]) for a in rest}))
    lines.append(("GraphQL / REST, requests/s", "≥", GRAPHQL_VS_REST, False,
                  {a: gql[a].rps / rest[a].rps for a in rest}))
    lines.append(("GraphQL / REST, CPU per request ¹", "≥", GRAPHQL_VS_REST, False,
                  {a: _efficiency(rest[a], gql[a]) for a in rest}))
    lines.append((f"REST p99 / baseline p99 (c={args.concurrency})", "≤", P99_VS_BASELINE, True,
                  {a: rest[a].pct(0.99) / base.pct(0.99) for a in rest}))

    print()
    print(f"{'issue 7 ratio (same run)':<40} {'target':>8}   {'API key':>12}   {'OIDC':>12}")
    misses = []
    for what, sign, target, at_most, values in lines:
        cells = []
        for auth in ("API key", "OIDC"):
            value = values[auth]
            if value is None:
                cells.append(f"{'n/a':>12}")
                continue
            mark = verdict(value, target, at_most=at_most)
            cells.append(f"{value:6.2f}  {mark}")
            if mark == "MISS":
                misses.append(f"{what.rstrip(' ¹')} ({auth}) = {value:.2f}, target {sign} {target:.2f}")
        print(f"{what:<40} {sign + f' {target:.2f}':>8}   {cells[0]:>12}   {cells[1]:>12}")
    print("¹ the reference's server CPU ms per request ÷ this row's: 0.75 = 1.33 times the reference's CPU per request")

    print()
    print("SQL statements per request — one request after a warm-up one, on the in-process servers;")
    print("\"3 + 1 BEGIN\" means three queries in one read transaction (SQLite's BEGINs are explicit statements,")
    print("PostgreSQL's are the driver's and not seen):")
    print(f"{'request':<40} {'auth':<8} {'10 items':>16} {f'{ITEMS} items':>16}")
    rows = [("baseline GET /instances?maxResults=N", "baseline", "none")]
    rows += [(label, api, auth) for api, label in (("GraphQL", "GraphQL instances(maxResults: N)"),
                                                   ("REST", "REST GET /api/v1/instances?maxResults=N"))
             for auth in ("API key", "OIDC")]
    for label, api, auth in rows:
        print(f"{label:<40} {auth:<8} {sql_count.describe(counts[(api, auth, 10)]):>16} "
              f"{sql_count.describe(counts[(api, auth, ITEMS)]):>16}")
    if args.show_sql:
        for key in (("GraphQL", "API key", ITEMS), ("GraphQL", "OIDC", ITEMS), ("REST", "API key", ITEMS)):
            print(f"\nstatements of {key[0]} ({key[1]}, {key[2]} items):")
            for stmt in counts[key]:
                print("   " + " ".join(stmt.split())[:200])
    return misses


# --- command line ---------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        sizes = [int(x.replace("_", "")) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of instance counts, e.g. 100,10000,100000") from None
    if sizes != sorted(set(sizes)) or not all(tenant_sizes.PAGE <= n <= 100_000 for n in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be ascending, distinct, each {tenant_sizes.PAGE}-100000")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Listing 100 instances: REST, GraphQL and a baseline; and by tenant size.")
    p.add_argument("--database", choices=backends.BACKENDS, default="sqlite",
                   help="the database every server of the run uses (default sqlite)")
    p.add_argument("--database-url", help="with --database postgresql: a cluster URL, postgresql+asyncpg://... "
                   "(scripts/pg-up.sh prints one); the run creates and drops its own database there")
    p.add_argument("--duration", type=float, default=5.0, help="measured seconds per target (0 < s <= 10)")
    p.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per target (0 <= s <= 3)")
    p.add_argument("--concurrency", type=int, default=8, help="table 1: requests in flight (1-64)")
    p.add_argument("--rounds", type=int, default=5,
                   help="interleaved slices the measured time of each target is split into (1-10)")
    p.add_argument("--sizes", type=_sizes, default=list(tenant_sizes.SIZES),
                   help="table 2: tenant sizes, comma-separated, ascending, 100-100000 "
                        "(default 100,10000,100000; 'none' skips table 2)")
    p.add_argument("--size-concurrency", type=int, default=1, help="table 2: requests in flight (1-8)")
    p.add_argument("--show-sql", action="store_true", help="print the statements of the 100-item requests")
    args = p.parse_args(argv)
    # Eight targets at (3 + 10) s at most plus setup would pass 5 minutes; the defaults take about
    # two and a half, and the deadline (BUDGET) stops a run that would not finish in time.
    if not 0 < args.duration <= 10:
        p.error("--duration must be in (0, 10]")
    if not 0 <= args.warmup <= 3:
        p.error("--warmup must be in [0, 3]")
    if not 1 <= args.concurrency <= 64:
        p.error("--concurrency must be in [1, 64]")
    if not 1 <= args.size_concurrency <= 8:
        p.error("--size-concurrency must be in [1, 8]")
    if not 1 <= args.rounds <= 10:
        p.error("--rounds must be in [1, 10]")
    if (args.database == "postgresql") != bool(args.database_url):
        p.error("--database-url is required with --database postgresql, and only then")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.loadavg = loadavg()  # other work on the machine skews absolute figures; it is printed
    # The servers get exactly the settings below: none leak in from this shell.
    for key in [k for k in os.environ if k.startswith("ICGPU_")]:
        del os.environ[key]
    tmp = Path(tempfile.mkdtemp(prefix="icgpu-bench-"))
    procs: list[Proc] = []
    started = time.monotonic()
    db: backends.BenchDatabase | None = None
    try:
        db = backends.create(args.database, tmp, args.database_url)
        status = run(args, tmp, procs, db)
    except BenchError as err:
        print(f"FAIL: {err}", file=sys.stderr)
        status = 1
    finally:
        for p in reversed(procs):
            p.stop()
        if db is not None:
            try:
                db.drop()
            except BenchError as err:
                print(f"FAIL: {err}", file=sys.stderr)
                status = 1
    if status == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"(logs kept in {tmp})", file=sys.stderr)
    print(f"\ntotal time {time.monotonic() - started:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
