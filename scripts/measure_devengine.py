#!/usr/bin/env python3
"""Measure the figures docs/devengine.md states: the shipped files' sizes, the tokenizer's cost per
KB (cold, warm, a text seen before), load times, start-to-healthy of a replica and a chat completion
over loopback. Tokenizer figures are the best of several runs (as timeit reports: the machine is shared),
the others medians.

  .venv/bin/python scripts/measure_devengine.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

import httpx  # noqa: E402

from icgpu.gateway import tokenizer  # noqa: E402
from icgpu.gateway.devengine import textgen  # noqa: E402
from icgpu.gateway.devengine.launcher import start_replica  # noqa: E402


def _best_us(fn: Callable[[], object], repeat: int = 7, number: int = 200) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number * 1e6)
    return min(runs)


def tokenizer_figures() -> None:
    started = time.perf_counter()
    tokenizer.vocab_size()
    print(f"load merges: {(time.perf_counter() - started) * 1e3:.1f} ms")
    started = time.perf_counter()
    textgen.model()
    print(f"load trigram model: {(time.perf_counter() - started) * 1e3:.1f} ms")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    kb = [text[i : i + 1024] for i in range(0, len(text) - 1024, 1024)]
    bpe = tokenizer._loaded()
    cold = []
    for chunk in kb:
        bpe.cache.clear()
        bpe.text_counts.clear()
        started = time.perf_counter()
        tokenizer.count_tokens(chunk)
        cold.append((time.perf_counter() - started) * 1e6)
    print(f"count_tokens, 1 KB, nothing cached: {statistics.median(cold):.0f} us")
    for chunk in kb:
        tokenizer.count_tokens(chunk)

    def warm() -> None:
        for chunk in kb:
            bpe.text_counts.pop(chunk, None)
            tokenizer.count_tokens(chunk)

    print(f"count_tokens, 1 KB of new text, its words seen before: {_best_us(warm, number=20) / len(kb):.0f} us")
    print(f"count_tokens, 1 KB seen before: {_best_us(lambda: tokenizer.count_tokens(kb[0]), number=2000):.2f} us")
    print(f"encode, 1 KB, its words seen before: {_best_us(lambda: tokenizer.encode(kb[0])):.0f} us")


async def engine_figures() -> None:
    starts = []
    for _ in range(5):
        started = time.perf_counter()
        replica = await start_replica(model="measure")
        starts.append(time.perf_counter() - started)
        await replica.stop()
    print(f"start to healthy: {statistics.median(starts) * 1e3:.0f} ms (median of 5)")
    replica = await start_replica(model="measure")
    try:
        body = {"model": "measure", "messages": [{"role": "user", "content": "How do quotas work?"}],
                "max_tokens": 64}
        async with httpx.AsyncClient(base_url=replica.base_url) as http:
            (await http.post("/chat/completions", json=body)).raise_for_status()  # warm
            times = []
            for i in range(50):
                started = time.perf_counter()
                response = await http.post("/chat/completions", json={**body, "seed": i})
                times.append(time.perf_counter() - started)
                response.raise_for_status()
        print(f"chat completion, 64 tokens, loopback: {statistics.median(times) * 1e3:.1f} ms (median of 50)")
    finally:
        await replica.stop()


def main() -> None:
    data = tokenizer.MERGES_PATH.parent
    for name in ("bpe_merges.txt", "ngram.json.z"):
        print(f"{name}: {(data / name).stat().st_size / 1024:.0f} KB")
    tokenizer_figures()
    asyncio.run(engine_figures())


if __name__ == "__main__":
    main()
