"""What the /v1 gateway adds over calling the same upstream directly, in one run.

1. Starts a minimal OpenAI-compatible upstream (bench/gateway_upstream.py: a fixed completion, no
   work, so the figures measure the gateway) and ``icgpu serve`` on SQLite with the catalogue alias
   ``llama-3-8b`` mapped to it (``ICGPU_MODEL_UPSTREAMS``); a tenant with an API key and tokens.
2. Non-streaming chat completions at concurrency 1 and 32, direct (the upstream) and through the
   gateway (authentication, rate limit, routing, prompt count, reserve, proxy, settle), in
   interleaved slices: p50/p99 latency and the added milliseconds; requests/s and proxy/direct.
3. Streams, sequentially: the time to the first content chunk, direct and through the gateway.

Targets (issue 11): at most 2 ms added at p50 at concurrency 1; proxy/direct requests/s at least
0.5 at concurrency 32. Every call through the gateway is metered: the run checks at the end that the
usage rows add up to the balance drop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
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

BUDGET = 300.0
TENANT, EMAIL = "bench-gateway", "bench@example.com"
MODEL = "llama-3-8b"
FUNDS = 2_000_000_000
BODY = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "Say something short."}],
                   "max_tokens": 16}).encode()
STREAM_BODY = json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "Say something short."}],
                          "max_tokens": 16, "stream": True}).encode()


def check_completion(r: httpx.Response) -> None:
    if r.status_code != 200:
        raise BenchError(f"HTTP {r.status_code}: {r.text[:300]}")
    if not r.content.startswith(b"{") or b'"chat.completion"' not in r.content:
        raise BenchError(f"not a chat completion: {r.text[:300]}")


def server_env(tmp: Path, port: int, upstream: str, flush_ms: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICGPU_")}
    env.update({
        "ICGPU_DATA_DIR": str(tmp / "data"),
        "ICGPU_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'icgpu.db'}",
        "ICGPU_PUBLIC_URL": f"http://{HOST}:{port}",
        "ICGPU_RATE_LIMIT_API": "1000000000",
        "ICGPU_RATE_LIMIT_LLM": "1000000000",
        "ICGPU_MODEL_UPSTREAMS": json.dumps({MODEL: upstream}),
        **({} if flush_ms is None else {"ICGPU_LLM_METERING_FLUSH_MS": str(flush_ms)}),
    })
    return env


async def first_chunk_ms(base_url: str, headers: dict[str, str], n: int, deadline: Deadline) -> list[float]:
    """Time to the first content chunk of ``n`` sequential streams (one keep-alive client)."""
    out: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0) as client:
        for _ in range(n):
            deadline.left(1)
            t0 = time.monotonic()
            first = None
            async with client.stream("POST", "/v1/chat/completions", content=STREAM_BODY) as r:
                if r.status_code != 200:
                    raise BenchError(f"stream: HTTP {r.status_code}: {(await r.aread())[:300]!r}")
                async for line in r.aiter_lines():
                    if first is None and '"content":"' in line.replace(" ", "") and '"content":""' not in \
                            line.replace(" ", ""):
                        first = (time.monotonic() - t0) * 1000
                if first is None:
                    raise BenchError("a stream without content")
            out.append(first)
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def usage_adds_up(url: str, token: str) -> tuple[int, int, int]:
    """(usage rows, their charges, the balance drop)."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60.0) as c:
        rows, charged, next_token = 0, 0, None
        for _ in range(100_000):
            params: dict[str, str | int] = {"maxResults": 100}
            if next_token:
                params["nextToken"] = next_token
            page = c.get("/api/v1/tokens/usage", params=params).json()
            rows += len(page["usage"])
            charged += sum(u["charged"] for u in page["usage"])
            next_token = page["nextToken"]
            if not next_token:
                break
        balance = c.get("/api/v1/tokens/balance").json()
    return rows, charged, FUNDS - balance["balance"]


def run(args: argparse.Namespace, tmp: Path, procs: list[Proc]) -> int:
    deadline = Deadline(BUDGET)
    uport, port = free_port(), free_port()
    env = server_env(tmp, port, f"http://{HOST}:{uport}/v1", args.flush_ms)
    upstream = Proc("upstream", [sys.executable, str(ROOT / "bench" / "gateway_upstream.py"), "--port", str(uport)],
                    env, tmp / "upstream.log", f"http://{HOST}:{uport}")
    procs.append(upstream)
    _start_upstream(upstream, deadline)
    boot = json.loads(cli(env, deadline, "admin", "bootstrap", "--tenant", TENANT, "--email", EMAIL))
    cli(env, deadline, "admin", "tokens", "grant", "--tenant", TENANT, "--amount", str(FUNDS))
    url = f"http://{HOST}:{port}"
    server = Proc("icgpu serve", [ICGPU, "serve", "--host", HOST, "--port", str(port), "--log-level", "warning"],
                  env, tmp / "server.log", url)
    procs.append(server)
    server.start(deadline)
    bearer = {"Authorization": f"Bearer {boot['api_key']}", "Content-Type": "application/json"}
    direct = Target("direct (upstream)", "none", upstream.url, "POST", "/v1/chat/completions", check_completion,
                    headers={"Content-Type": "application/json"}, body=BODY, proc=upstream)
    proxy = Target("through the gateway", "API key", url, "POST", "/v1/chat/completions", check_completion,
                   headers=bearer, body=BODY, proc=server)
    print(f"== gateway: server {url} (pid {server.pid}, SQLite), upstream {upstream.url} (pid {upstream.pid}); "
          f"load average {args.loadavg}; metering flush "
          f"{'default' if args.flush_ms is None else str(args.flush_ms) + ' ms'}", flush=True)

    rows = []
    misses = []
    for conc in (1, 32):
        results = asyncio.run(measure([direct, proxy], concurrency=conc, warmup=args.warmup,
                                      duration=args.duration, rounds=args.rounds, deadline=deadline))
        rows.append((conc, results))
    print(f"\n{'non-streaming':<26} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'server CPU ms/req':>18}")
    for conc, results in rows:
        for r in results:
            cpu = f"{r.cpu_ms:.2f}" if r.cpu_ms is not None else "n/a"
            print(f"{r.target.label:<26} {conc:>4} {r.rps:>8.0f} {r.pct(0.5):>8.2f} {r.pct(0.99):>8.2f} {cpu:>18}")
    by_conc: dict[int, tuple[Result, Result]] = {c: (res[0], res[1]) for c, res in rows}
    d1, p1 = by_conc[1]
    d32, p32 = by_conc[32]
    added50, added99 = p1.pct(0.5) - d1.pct(0.5), p1.pct(0.99) - d1.pct(0.99)
    ratio = p32.rps / d32.rps
    print(f"\nadded latency, concurrency 1: p50 {added50:+.2f} ms, p99 {added99:+.2f} ms   "
          f"target p50 <= 2 ms: {verdict(added50, 2.0, at_most=True)}")
    print(f"added latency, concurrency 32: p50 {p32.pct(0.5) - d32.pct(0.5):+.2f} ms, "
          f"p99 {p32.pct(0.99) - d32.pct(0.99):+.2f} ms")
    print(f"proxy/direct requests/s, concurrency 32: {ratio:.2f}   target >= 0.5: {verdict(ratio, 0.5)}")
    if added50 > 2.0:
        misses.append(f"added p50 at concurrency 1: {added50:.2f} ms > 2 ms")
    if ratio < 0.5:
        misses.append(f"proxy/direct at concurrency 32: {ratio:.2f} < 0.5")

    ttft_direct, ttft_proxy = [], []
    for _ in range(args.rounds):
        ttft_direct += asyncio.run(first_chunk_ms(upstream.url, {"Content-Type": "application/json"},
                                                  args.streams // args.rounds, deadline))
        ttft_proxy += asyncio.run(first_chunk_ms(url, bearer, args.streams // args.rounds, deadline))
    print(f"\nstreams (sequential, {len(ttft_proxy)} each): time to first content chunk p50 direct "
          f"{statistics.median(ttft_direct):.2f} ms, through the gateway {statistics.median(ttft_proxy):.2f} ms "
          f"(added {statistics.median(ttft_proxy) - statistics.median(ttft_direct):+.2f} ms; p99 added "
          f"{pct(ttft_proxy, 0.99) - pct(ttft_direct, 0.99):+.2f} ms)")

    n_rows, charged, drop = usage_adds_up(url, boot["oidc_token"])
    print(f"\nmetering: {n_rows} usage rows, {charged} tokens charged, balance drop {drop}")
    if charged != drop:
        raise BenchError(f"usage rows charge {charged} tokens but the balance dropped by {drop}")
    print(f"targets missed: {len(misses)}" + "".join(f"\n   MISS {m}" for m in misses))
    return 0


def _start_upstream(upstream: Proc, deadline: Deadline) -> None:
    """Like Proc.start, polling /health (the upstream has no /readyz)."""
    with open(upstream.log, "ab") as out:
        upstream.popen = subprocess.Popen(upstream.argv, env=upstream.env, cwd=ROOT, stdout=out,
                                          stderr=subprocess.STDOUT)
    end = time.monotonic() + deadline.left(15)
    while time.monotonic() < end:
        if upstream.popen.poll() is not None:
            raise BenchError(f"upstream exited: {upstream.tail()}")
        try:
            if httpx.get(upstream.url + "/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise BenchError("the upstream did not start")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="What the /v1 gateway adds over calling its upstream directly.")
    p.add_argument("--duration", type=float, default=4.0, help="measured seconds per target and concurrency")
    p.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per target and concurrency")
    p.add_argument("--rounds", type=int, default=4, help="interleaved slices per target")
    p.add_argument("--streams", type=int, default=200, help="sequential streams per target for the first chunk")
    p.add_argument("--flush-ms", type=int, default=None,
                   help="ICGPU_LLM_METERING_FLUSH_MS for the server (default: the setting's default)")
    args = p.parse_args(argv)
    if not 0 < args.duration <= 20 or not 0 <= args.warmup <= 5 or not 1 <= args.rounds <= 10:
        p.error("--duration in (0, 20], --warmup in [0, 5], --rounds in [1, 10]")
    if not args.rounds <= args.streams <= 2000:
        p.error("--streams in [rounds, 2000]")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.loadavg = loadavg()
    for key in [k for k in os.environ if k.startswith("ICGPU_")]:
        del os.environ[key]
    tmp = Path(tempfile.mkdtemp(prefix="icgpu-bench-gw-"))
    procs: list[Proc] = []
    try:
        return run(args, tmp, procs)
    except BenchError as err:
        print(f"FAIL: {err}", file=sys.stderr)
        return 1
    finally:
        for proc in reversed(procs):
            proc.stop()


if __name__ == "__main__":
    sys.exit(main())
