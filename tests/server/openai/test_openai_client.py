"""The official ``openai`` client, unchanged (``base_url=<server>/v1``, an ``sk-ic-`` key), sync and
async: chat with and without streaming, embeddings of a string and of a list (float, and the
client's default base64), the models list; the model echoed as asked, usage, the X-Tokens headers,
and each call's charge recorded and taken from the balance."""

from __future__ import annotations

import base64
import struct

import pytest

from tests.server.openai.conftest import async_client, balance, client, credit, usage_of
from tests.server.openai.upstreams import Upstream
from tests.support.server import Server
from tests.support.tenants import Tenant

FIXED = "The gateway relays this fixed answer chunk by"  # the fast upstream's 8 chunks
MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say something."}]


def expected_vector(text: str) -> list[float]:
    """The fast upstream's embedding of ``text`` (as float32, like the wire)."""
    raw = [((len(text) + k) % 7) / 7.0 for k in range(8)]
    return list(struct.unpack("<8f", struct.pack("<8f", *raw)))


def test_models_list_marks_what_the_caller_can_call(server: Server, funded: Tenant) -> None:
    page = client(server, funded.api_key).models.list()
    by_id = {m.id: m for m in page.data}
    assert {"llama-3-8b", "bge-large-en-v1.5", "llama-3-70b"} <= set(by_id)
    assert all(m.object == "model" and isinstance(m.created, int) and m.owned_by for m in page.data)
    extra = {m.id: m.model_extra or {} for m in page.data}
    assert extra["llama-3-8b"]["dev_engine"] is False  # mapped to an external upstream
    assert extra["llama-3-70b"]["dev_engine"] is True
    assert extra["bge-large-en-v1.5"]["kind"] == "embedding"
    assert client(server, funded.api_key).models.retrieve("llama-3-8b").id == "llama-3-8b"


def test_chat_completion(server: Server, funded: Tenant) -> None:
    before = balance(funded)["balance"]
    raw = client(server, funded.api_key).chat.completions.with_raw_response.create(
        model="llama-3-8b", messages=MESSAGES, max_tokens=64)
    done = raw.parse()
    assert done.model == "llama-3-8b"
    assert done.choices[0].message.content == FIXED
    assert done.usage is not None and done.usage.completion_tokens == 8
    used = int(raw.headers["x-tokens-used"])
    row = usage_of(funded, raw.headers["x-request-id"])
    assert row["charged"] == used == done.usage.prompt_tokens + done.usage.completion_tokens
    assert row["api_key_id"] is not None and row["model"] == "llama-3-8b"
    after = balance(funded)
    assert int(raw.headers["x-tokens-remaining"]) == after["balance"] == before - used
    assert after["reserved"] == 0


async def test_chat_completion_async(server: Server, funded: Tenant) -> None:
    async with async_client(server, funded.api_key) as c:
        raw = await c.chat.completions.with_raw_response.create(model="llama-3-8b", messages=MESSAGES)
    done = raw.parse()
    assert done.model == "llama-3-8b" and done.choices[0].message.content == FIXED
    assert int(raw.headers["x-tokens-used"]) == usage_of(funded, raw.headers["x-request-id"])["charged"] > 0


def test_stream_with_usage(server: Server, funded: Tenant) -> None:
    before = balance(funded)
    raw = client(server, funded.api_key).chat.completions.with_raw_response.create(
        model="llama-3-8b", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    # The opening headers: nothing used yet, and the balance left once this call's hold is taken.
    assert raw.headers["x-tokens-used"] == "0"
    held = before["available"] - int(raw.headers["x-tokens-remaining"])
    assert held > 0
    chunks = list(raw.parse())
    assert {c.model for c in chunks} == {"llama-3-8b"}
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == FIXED
    final = chunks[-1]
    assert final.choices == [] and final.usage is not None
    assert all(c.usage is None for c in chunks[:-1])
    row = usage_of(funded, raw.headers["x-request-id"])
    assert row["charged"] == final.usage.total_tokens <= held
    after = balance(funded)
    assert after["balance"] == before["balance"] - row["charged"] and after["reserved"] == 0


async def test_stream_without_usage_async(server: Server, funded: Tenant) -> None:
    async with async_client(server, funded.api_key) as c:
        stream = await c.chat.completions.create(model="llama-3-8b", messages=MESSAGES, stream=True)
        chunks = [chunk async for chunk in stream]
    assert chunks and all(c.choices for c in chunks)  # no usage chunk unless asked for
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == FIXED
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_usage_counted_by_the_tokenizer_when_the_upstream_reports_none(server: Server, funded: Tenant) -> None:
    raw = client(server, funded.api_key).chat.completions.with_raw_response.create(
        model="llama-3.1-8b", messages=MESSAGES, stream=True, stream_options={"include_usage": True})
    chunks = list(raw.parse())
    usage = chunks[-1].usage
    assert usage is not None and usage.completion_tokens > 0 and usage.prompt_tokens > 0
    row = usage_of(funded, raw.headers["x-request-id"])
    assert (row["prompt_tokens"], row["completion_tokens"]) == (usage.prompt_tokens, usage.completion_tokens)


def test_unknown_parameters_reach_the_upstream_untouched(server: Server, funded: Tenant, fast: Upstream) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
    client(server, funded.api_key).chat.completions.create(
        model="llama-3-8b", messages=MESSAGES, temperature=0.25, top_p=0.5, stop=["\n\n"], seed=7, tools=tools,
        extra_body={"repetition_penalty": 1.1})
    sent = fast.stats()["last_body"]
    assert sent["model"] == "meta-llama/Meta-Llama-3-8B-Instruct"  # the upstream's own name
    assert (sent["temperature"], sent["top_p"], sent["stop"], sent["seed"]) == (0.25, 0.5, ["\n\n"], 7)
    assert sent["tools"] == tools and sent["repetition_penalty"] == 1.1
    assert sent["messages"] == MESSAGES


@pytest.mark.parametrize("encoding", ["float", None])
def test_embeddings_of_a_string(server: Server, funded: Tenant, fast: Upstream, encoding: str | None) -> None:
    kwargs = {"encoding_format": encoding} if encoding else {}
    raw = client(server, funded.api_key).embeddings.with_raw_response.create(
        model="bge-large-en-v1.5", input="GPU computing enables massive parallelism", **kwargs)
    done = raw.parse()
    # Without encoding_format the client asks for base64 and decodes it itself.
    assert fast.stats()["last_body"]["encoding_format"] == (encoding or "base64")
    assert done.model == "bge-large-en-v1.5"
    assert done.data[0].embedding == pytest.approx(expected_vector("GPU computing enables massive parallelism"),
                                                   rel=1e-6)
    assert int(raw.headers["x-tokens-used"]) == usage_of(funded, raw.headers["x-request-id"])["charged"]


async def test_embeddings_of_a_list_async(server: Server, funded: Tenant) -> None:
    texts = ["First document to embed", "Second document to embed", "Third"]
    async with async_client(server, funded.api_key) as c:
        done = await c.embeddings.create(model="bge-large-en-v1.5", input=texts)
        floats = await c.embeddings.create(model="bge-large-en-v1.5", input=texts, encoding_format="float")
    assert [d.index for d in done.data] == [0, 1, 2]
    assert [d.embedding for d in done.data] == [expected_vector(t) for t in texts]  # float32 from base64
    for got, text in zip(floats.data, texts, strict=True):
        assert got.embedding == pytest.approx(expected_vector(text), rel=1e-6)


def test_base64_is_passed_through_as_the_upstream_wrote_it(server: Server, funded: Tenant) -> None:
    r = funded.key_api.post("/v1/embeddings", json={"model": "bge-large-en-v1.5", "input": "abc",
                                                    "encoding_format": "base64"})
    assert r.status_code == 200, r.text
    vector = struct.unpack("<8f", base64.b64decode(r.json()["data"][0]["embedding"]))
    assert list(vector) == expected_vector("abc")


def test_max_tokens_beyond_the_context_length_reserves_the_context_length(server: Server,
                                                                          tenant_factory: object) -> None:
    """llama-3-8b's context is 8,192 tokens: a call asking for two billion reserves at most that, so
    a balance of 9,000 covers it (and the call is charged what it used)."""
    tenant: Tenant = tenant_factory()  # type: ignore[operator]
    credit(tenant, 9_000)
    raw = client(server, tenant.api_key).chat.completions.with_raw_response.create(
        model="llama-3-8b", messages=MESSAGES, max_tokens=2_000_000_000)
    assert raw.parse().choices[0].message.content == FIXED
    assert balance(tenant)["balance"] == 9_000 - int(raw.headers["x-tokens-used"])
