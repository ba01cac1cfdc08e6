"""The built-in development engine, over HTTP: started by its launcher as a separate process, called
with the official `openai` client (and httpx where the client hides the wire)."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from icgpu.gateway import tokenizer
from icgpu.gateway.devengine import embeddings
from icgpu.gateway.devengine.launcher import Replica, ReplicaStartError, start_replica
from tests.support.processes import exited

pytestmark = pytest.mark.db_independent

CHAT = "dev-chat"
EMBED = "dev-embed"
MESSAGES: Any = [
    {"role": "system", "content": "You answer questions about the control plane."},
    {"role": "user", "content": "How are instances reconciled after a restart?"},
]


@pytest.fixture(scope="module")
async def chat_engine() -> AsyncIterator[Replica]:
    replica = await start_replica(model=CHAT)
    yield replica
    await replica.stop()


@pytest.fixture(scope="module")
async def embed_engine() -> AsyncIterator[Replica]:
    replica = await start_replica(model=EMBED, kind="embedding")
    yield replica
    await replica.stop()


def client(replica: Replica) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=replica.base_url, api_key="unused", max_retries=0)


def _gone(pid: int) -> bool:
    """True when the process no longer exists (neither running nor a zombie)."""
    return not Path(f"/proc/{pid}").exists()




async def test_health_and_models(chat_engine: Replica, embed_engine: Replica) -> None:
    assert await chat_engine.healthy()
    async with httpx.AsyncClient() as http:
        health = (await http.get(f"http://127.0.0.1:{chat_engine.port}/health")).json()
    assert health == {"status": "ok", "model": CHAT, "kind": "chat"}
    models = await client(chat_engine).models.list()
    assert [(m.id, m.owned_by, m.object) for m in models.data] == [(CHAT, "icgpu-devengine", "model")]
    assert (await client(embed_engine).models.retrieve(EMBED)).id == EMBED


async def test_chat_completion_shape_and_usage(chat_engine: Replica) -> None:
    reply = await client(chat_engine).chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=48)
    assert reply.id.startswith("chatcmpl-") and reply.object == "chat.completion" and reply.model == CHAT
    assert abs(reply.created - time.time()) < 60
    [choice] = reply.choices
    assert choice.index == 0 and choice.message.role == "assistant"
    content = choice.message.content
    assert content and choice.finish_reason in ("stop", "length")
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == tokenizer.count_chat_tokens(MESSAGES)
    assert reply.usage.completion_tokens == tokenizer.count_tokens(content) <= 48
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


async def test_same_request_same_text_and_the_seed_changes_it(chat_engine: Replica) -> None:
    api = client(chat_engine)

    async def text(**extra: object) -> str:
        reply = await api.chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=40, **extra)  # type: ignore[call-overload]
        return str(reply.choices[0].message.content)

    first = await text()
    assert await text() == first
    assert await text(seed=7) == await text(seed=7)
    assert {await text(seed=s) for s in (1, 2, 3)} != {first}
    several = await api.chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=40, n=3)
    assert [c.index for c in several.choices] == [0, 1, 2]
    assert len({c.message.content for c in several.choices}) > 1
    assert several.usage is not None
    counted = sum(tokenizer.count_tokens(str(c.message.content)) for c in several.choices)
    assert several.usage.completion_tokens == counted


async def test_max_tokens_ends_with_length(chat_engine: Replica) -> None:
    reply = await client(chat_engine).chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=5)
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage is not None and 1 <= reply.usage.completion_tokens <= 5
    assert reply.usage.completion_tokens == tokenizer.count_tokens(str(reply.choices[0].message.content))
    long = await client(chat_engine).chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=200)
    assert long.usage is not None and long.usage.completion_tokens > 5
    # A large request is generated off the event loop, and still within its bound.
    large = await client(chat_engine).chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=3000, n=2)
    assert large.usage is not None and large.usage.completion_tokens <= 6000
    for choice in large.choices:
        assert tokenizer.count_tokens(str(choice.message.content)) <= 3000
        assert choice.finish_reason in ("stop", "length")


async def test_stop_cuts_before_the_first_stop_sequence(chat_engine: Replica) -> None:
    api = client(chat_engine)
    reply = await api.chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=60)
    full = str(reply.choices[0].message.content)
    assert len(full) > 20
    stop = full[len(full) // 2 : len(full) // 2 + 3]  # from the middle: the cut is at its first occurrence
    cut = await api.chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=60, stop=[stop, "\x00never"])
    assert cut.choices[0].message.content == full[: full.index(stop)]
    assert cut.choices[0].finish_reason == "stop"
    assert cut.usage is not None and cut.usage.completion_tokens == tokenizer.count_tokens(full[: full.index(stop)])


async def test_stream_relays_token_deltas_and_usage(chat_engine: Replica) -> None:
    api = client(chat_engine)
    whole = await api.chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=30)
    stream = await api.chat.completions.create(
        model=CHAT, messages=MESSAGES, max_tokens=30, stream=True, stream_options={"include_usage": True}
    )
    chunks = [chunk async for chunk in stream]
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = [c.choices[0].delta.content for c in chunks[1:] if c.choices and c.choices[0].delta.content]
    assert "".join(content) == whole.choices[0].message.content  # the same text, streamed
    assert len(content) > 3  # token by token, not one blob
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish == [whole.choices[0].finish_reason]
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None
    assert last.usage.model_dump() == whole.usage.model_dump() if whole.usage else False
    assert all(c.usage is None for c in chunks[:-1])


async def test_stream_without_usage_ends_with_done(chat_engine: Replica) -> None:
    body = {"model": CHAT, "messages": MESSAGES, "max_tokens": 8, "stream": True}
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{chat_engine.base_url}/chat/completions", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line for line in response.text.split("\n\n") if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    assert '"usage"' not in response.text


async def test_forty_concurrent_streams_all_complete_with_their_usage(chat_engine: Replica) -> None:
    api = client(chat_engine)

    async def one(i: int) -> tuple[str, int]:
        stream = await api.chat.completions.create(
            model=CHAT, messages=MESSAGES, max_tokens=24, seed=i, stream=True, stream_options={"include_usage": True}
        )
        text, usage = "", -1
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
            if chunk.usage is not None:
                usage = chunk.usage.completion_tokens
        return text, usage

    results = await asyncio.gather(*(one(i) for i in range(40)))
    assert all(text and usage == tokenizer.count_tokens(text) for text, usage in results)
    assert results[5] == await one(5)  # the same request again: the same text


async def test_chunk_delay_paces_the_stream_and_fail_after_chunks_drops_it() -> None:
    replica = await start_replica(model=CHAT, extra_args=["--chunk-delay-ms", "60", "--fail-after-chunks", "4"])
    try:
        body = {"model": CHAT, "messages": MESSAGES, "max_tokens": 20, "stream": True}
        arrivals: list[float] = []
        start = time.monotonic()
        async with httpx.AsyncClient(timeout=10) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                async with http.stream("POST", f"{replica.base_url}/chat/completions", json=body) as response:
                    assert response.status_code == 200
                    async for line in response.aiter_lines():
                        if line.startswith("data: "):
                            arrivals.append(time.monotonic() - start)
            stats = (await http.get(f"http://127.0.0.1:{replica.port}/stats")).json()
        assert len(arrivals) == 4  # then the connection was cut without [DONE]
        assert arrivals[-1] - arrivals[0] >= 3 * 0.06 * 0.9  # chunks were paced, not sent at once
        assert stats["streams_dropped"] == 1 and stats["streams_completed"] == 0
        # Non-streaming calls are unaffected by --fail-after-chunks.
        reply = await client(replica).chat.completions.create(model=CHAT, messages=MESSAGES, max_tokens=5)
        assert reply.choices[0].message.content
    finally:
        await replica.stop()


async def test_a_client_that_goes_away_stops_the_stream() -> None:
    replica = await start_replica(model=CHAT, extra_args=["--chunk-delay-ms", "50"])
    try:
        body = {"model": CHAT, "messages": MESSAGES, "max_tokens": 200, "stream": True}
        async with httpx.AsyncClient(timeout=10) as http:
            async with http.stream("POST", f"{replica.base_url}/chat/completions", json=body) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: "):
                        break  # leave after the first chunk: the connection is closed
            stats: dict[str, int] = {}
            for _ in range(100):  # bounded: at most ~5 s
                stats = (await http.get(f"http://127.0.0.1:{replica.port}/stats")).json()
                if stats["streams_disconnected"]:
                    break
                await asyncio.sleep(0.05)
        assert stats["streams_disconnected"] == 1 and stats["streams_completed"] == 0
    finally:
        await replica.stop()


async def test_embeddings_float_and_base64(embed_engine: Replica) -> None:
    api = client(embed_engine)
    texts = ["GPU instances stop after an idle period", "stopping idle GPU instances", "kubeconfig YAML with a CA"]
    as_float = await api.embeddings.create(model=EMBED, input=texts, encoding_format="float")
    as_base64 = await api.embeddings.create(model=EMBED, input=texts)  # the client asks for base64 and decodes it
    assert as_float.model == EMBED and as_float.object == "list"
    assert [d.index for d in as_float.data] == [0, 1, 2]
    for f, b in zip(as_float.data, as_base64.data, strict=True):
        assert len(f.embedding) == len(b.embedding) == embeddings.DIMENSION
        assert math.isclose(math.fsum(x * x for x in f.embedding), 1.0, rel_tol=1e-9)
        assert all(math.isclose(x, y, abs_tol=1e-6) for x, y in zip(f.embedding, b.embedding, strict=True))
    expected_tokens = sum(tokenizer.count_tokens(t) for t in texts)
    assert as_float.usage.prompt_tokens == as_float.usage.total_tokens == expected_tokens

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    v = [d.embedding for d in as_float.data]
    assert cos(v[0], v[1]) > cos(v[0], v[2]) + 0.2
    single = await api.embeddings.create(model=EMBED, input=texts[0], encoding_format="float")
    assert single.data[0].embedding == v[0]  # deterministic
    short = await api.embeddings.create(model=EMBED, input=texts[0], encoding_format="float", dimensions=64)
    assert len(short.data[0].embedding) == 64
    ids = await api.embeddings.create(model=EMBED, input=[tokenizer.encode(texts[0])], encoding_format="float")
    assert ids.data[0].embedding == v[0] and ids.usage.prompt_tokens == tokenizer.count_tokens(texts[0])


async def test_wrong_kind_unknown_model_and_bad_input_are_openai_errors(
    chat_engine: Replica, embed_engine: Replica
) -> None:
    with pytest.raises(openai.BadRequestError) as chat_on_embed:
        await client(embed_engine).chat.completions.create(model=EMBED, messages=MESSAGES)
    assert "embedding model" in chat_on_embed.value.message
    with pytest.raises(openai.BadRequestError):
        await client(chat_engine).embeddings.create(model=CHAT, input="x")
    with pytest.raises(openai.NotFoundError):
        await client(chat_engine).chat.completions.create(model="other", messages=MESSAGES)
    bad_bodies = [
        ({"model": CHAT, "messages": []}, "messages"),
        ({"model": CHAT, "messages": [{"role": "wizard", "content": "x"}]}, "messages[0].role"),
        ({"model": CHAT, "messages": MESSAGES, "max_tokens": 0}, "max_tokens"),
        ({"model": CHAT, "messages": MESSAGES, "max_tokens": "9"}, "max_tokens"),
        ({"model": CHAT, "messages": MESSAGES, "n": 99}, "n"),
        ({"model": CHAT, "messages": MESSAGES, "stop": [1]}, "stop"),
        ({"model": CHAT, "messages": MESSAGES, "temperature": 3}, "temperature"),
        ({"model": CHAT, "messages": MESSAGES, "stream_options": {"include_usage": True}}, "stream_options"),
        ({"messages": MESSAGES}, "model"),
    ]
    async with httpx.AsyncClient() as http:
        for body, param in bad_bodies:
            response = await http.post(f"{chat_engine.base_url}/chat/completions", json=body)
            assert response.status_code == 400, body
            error = response.json()["error"]
            assert error["param"] == param and error["type"] == "invalid_request_error" and error["message"]
        not_json = await http.post(f"{chat_engine.base_url}/chat/completions", content=b"{nope")
        assert not_json.status_code == 400
        # Escaped lone surrogates are valid JSON: the engine answers, and never with a 500.
        surrogate = b'{"model": "dev-chat", "messages": [{"role": "user", "content": "odd \\ud800 text"}]}'
        assert (await http.post(f"{chat_engine.base_url}/chat/completions", content=surrogate)).status_code == 200
        odd_model = b'{"model": "x\\udc00", "messages": [{"role": "user", "content": "hi"}]}'
        response = await http.post(f"{chat_engine.base_url}/chat/completions", content=odd_model)
        assert response.status_code == 404 and response.json()["error"]["code"] == "model_not_found"
        for body, param in [({"model": EMBED, "input": ""}, "input"), ({"model": EMBED, "input": []}, "input"),
                            ({"model": EMBED, "input": "x", "encoding_format": "hex"}, "encoding_format"),
                            ({"model": EMBED, "input": "x", "dimensions": 4096}, "dimensions"),
                            ({"model": EMBED, "input": [[10**9]]}, "input")]:
            response = await http.post(f"{embed_engine.base_url}/embeddings", json=body)
            assert response.status_code == 400, body
            assert response.json()["error"]["param"] == param
        assert (await http.get(f"{chat_engine.base_url}/chat/completions")).status_code == 405
        assert (await http.get(f"{chat_engine.base_url}/nothing")).status_code == 404
    assert await chat_engine.healthy()  # nothing above hurt the engine


async def test_api_key_is_required_when_set() -> None:
    replica = await start_replica(model=CHAT, extra_args=["--api-key", "s3cret"])
    try:
        with pytest.raises(openai.AuthenticationError):
            await client(replica).models.list()
        authed = openai.AsyncOpenAI(base_url=replica.base_url, api_key="s3cret", max_retries=0)
        assert [m.id for m in (await authed.models.list()).data] == [CHAT]
        assert await replica.healthy()  # /health needs no key
    finally:
        await replica.stop()


async def test_stop_ends_and_reaps_the_process_and_is_idempotent() -> None:
    replica = await start_replica(model=CHAT)
    pid, port = replica.pid, replica.port
    assert os.getpgid(pid) == pid  # its own session and process group
    assert not _gone(pid)
    await replica.stop()
    assert _gone(pid)  # not even a zombie: it was waited for
    await replica.stop()
    assert not await replica.healthy()
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/health")


async def test_stop_kills_an_engine_that_ignores_sigterm() -> None:
    replica = await start_replica(model=CHAT)
    os.kill(replica.pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
    try:
        started = time.monotonic()
        await replica.stop(timeout=0.5)
        assert time.monotonic() - started < 5
        assert _gone(replica.pid)
    finally:
        if not _gone(replica.pid):
            os.kill(replica.pid, signal.SIGKILL)


async def test_a_replica_that_cannot_start_is_reported_and_cleaned_up() -> None:
    started = time.monotonic()
    with pytest.raises(ReplicaStartError, match="exited"):
        await start_replica(model=CHAT, extra_args=["--chunk-delay-ms", "-1"], ready_timeout=20)
    assert time.monotonic() - started < 20
    with pytest.raises(ValueError):
        await start_replica(model=CHAT, kind="vision")


def test_the_engine_exits_when_its_parent_dies() -> None:
    # A parent starts a replica, reports its pid, and is SIGKILLed: the orphan exits by itself.
    code = (
        "import asyncio\n"
        "from icgpu.gateway.devengine.launcher import start_replica\n"
        "async def main():\n"
        "    r = await start_replica(model='orphan')\n"
        "    print(r.pid, flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        engine_pid = int(parent.stdout.readline())
        assert not _gone(engine_pid)
    finally:
        parent.kill()
        parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not exited(engine_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert exited(engine_pid)
    finally:
        if not exited(engine_pid):
            os.kill(engine_pid, signal.SIGKILL)
