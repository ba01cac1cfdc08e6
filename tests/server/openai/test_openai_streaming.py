"""Streams are relayed chunk by chunk as the upstream produces them; a client that goes away
cancels the upstream request and is charged only what was relayed; many parallel calls against a
small balance never take it below zero, and the usage rows add up to exactly what was charged."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import httpx
import openai
import orjson

from icgpu.gateway import tokenizer
from tests.server.openai.conftest import SLOW_CHUNKS, async_client, balance, client, credit, usage_of, usage_rows
from tests.server.openai.upstreams import Upstream
from tests.support.server import Server, wait_for
from tests.support.tenants import Tenant

MESSAGES = [{"role": "user", "content": "Write a haiku about GPUs."}]
MISTRAL_MULTIPLIER = 0.8


def in_progress(up: Upstream, before: dict[str, Any]) -> bool:
    now = up.stats()
    return bool(now["streams_started"] > before["streams_started"]
                and now["streams_finished"] == before["streams_finished"]
                and now["streams_cancelled"] == before["streams_cancelled"])


def test_first_chunk_arrives_before_the_upstream_finishes(server: Server, funded: Tenant, slow: Upstream) -> None:
    before = slow.stats()
    stream = client(server, funded.api_key).chat.completions.create(model="mistral-7b", messages=MESSAGES,
                                                                    stream=True)
    running: list[bool] = []
    arrivals: list[float] = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.monotonic())
            running.append(in_progress(slow, before))
    assert len(arrivals) == SLOW_CHUNKS
    # The first chunk (and most of the others: a busy machine may read the last ones late) reached
    # the client while the upstream was still producing.
    assert running[0] and sum(running) >= SLOW_CHUNKS // 2
    assert arrivals[-1] - arrivals[0] > 0.5 * (SLOW_CHUNKS - 1) * 0.150  # spread out, not delivered at once
    assert slow.stats()["streams_finished"] == before["streams_finished"] + 1


async def test_first_chunk_arrives_early_async(server: Server, funded: Tenant, slow: Upstream) -> None:
    before = slow.stats()
    async with async_client(server, funded.api_key) as c:
        stream = await c.chat.completions.create(model="mistral-7b", messages=MESSAGES, stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                assert await asyncio.to_thread(in_progress, slow, before)
                break
        await stream.close()


def test_client_disconnect_cancels_the_upstream_and_settles_what_was_used(
        server: Server, funded: Tenant, slow: Upstream) -> None:
    before = slow.stats()
    start = balance(funded)
    received: list[str] = []
    with httpx.Client(base_url=server.url, timeout=30.0) as http, http.stream(
            "POST", "/v1/chat/completions", headers={"Authorization": f"Bearer {funded.api_key}"},
            json={"model": "mistral-7b", "messages": MESSAGES, "stream": True}) as response:
        assert response.status_code == 200
        request_id = response.headers["x-request-id"]
        for line in response.iter_lines():
            if line.startswith("data: {"):
                delta = orjson.loads(line[6:])["choices"][0]["delta"]
                if delta.get("content"):
                    received.append(delta["content"])
            if len(received) == 3:
                break  # leaving the block closes the connection mid-stream
    wait_for(lambda: slow.stats()["streams_cancelled"] == before["streams_cancelled"] + 1, timeout=10,
             what="the upstream request cancelled")
    assert slow.stats()["streams_finished"] == before["streams_finished"]
    row = wait_for(lambda: [u for u in usage_rows(funded) if u["request_id"] == request_id], timeout=10,
                   what="the cancelled call settled")[0]
    full = "".join(["The", " gateway", " relays", " this", " fixed", " answer", " chunk", " by", " chunk", "."])
    assert tokenizer.count_tokens("".join(received)) <= row["completion_tokens"] < tokenizer.count_tokens(full)
    assert row["prompt_tokens"] == tokenizer.count_chat_tokens(MESSAGES)
    assert row["charged"] == math.ceil((row["prompt_tokens"] + row["completion_tokens"]) * MISTRAL_MULTIPLIER)
    after = balance(funded)
    assert after["balance"] == start["balance"] - row["charged"] and after["reserved"] == 0


async def test_parallel_calls_never_overdraw_a_small_balance(server: Server, funded: Tenant,
                                                             tenant_factory: Any) -> None:
    # One call first (another tenant's) so the catalogue's shared deployment exists: the burst
    # below measures metering, not the first-use race of that deployment's creation.
    client(server, funded.api_key).chat.completions.create(model="llama-3-8b", messages=MESSAGES, max_tokens=1)
    tenant: Tenant = tenant_factory()
    funds = 400
    credit(tenant, funds)
    calls = 40

    async def one(c: openai.AsyncOpenAI, i: int) -> tuple[str, int | None, str]:
        try:
            if i % 2:
                raw = await c.chat.completions.with_raw_response.create(
                    model="llama-3-8b", messages=MESSAGES, max_tokens=8, stream=True)
                async for _ in raw.parse():
                    pass
            else:
                raw = await c.chat.completions.with_raw_response.create(
                    model="llama-3-8b", messages=MESSAGES, max_tokens=8)
            return "ok", int(raw.headers["x-tokens-used"]) if not i % 2 else None, raw.headers["x-request-id"]
        except openai.APIStatusError as exc:
            assert exc.status_code == 402, exc
            return "402", None, exc.response.headers["x-request-id"]

    async with async_client(server, tenant.api_key) as c:
        outcomes = await asyncio.gather(*(one(c, i) for i in range(calls)))
    ok = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] == "402"]
    assert ok and refused and len(ok) + len(refused) == calls
    rows = usage_rows(tenant)
    assert sorted(r["request_id"] for r in rows) == sorted(o[2] for o in ok)  # one row per answered call
    for _, used, request_id in ok:
        if used is not None:
            assert usage_of(tenant, request_id)["charged"] == used
    end = balance(tenant)
    assert end["balance"] >= 0 and end["reserved"] == 0
    assert sum(r["charged"] for r in rows) == funds - end["balance"]
