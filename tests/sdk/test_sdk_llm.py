"""client.llm against a live gateway (loopback upstream): chat, streamed chat, embeddings and
models, sync and async; real 402 (InsufficientTokensError), 403 and 502 (ServiceUnavailableError,
with its Retry-After) raised as the SDK's own classes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ic_gpu import (
    ICGPU,
    AsyncICGPU,
    InsufficientTokensError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
    ValidationError,
)

from tests.server.openai.conftest import gateway_env
from tests.server.openai.upstreams import Upstream
from tests.support.server import Server

FIXED = "The gateway relays this fixed answer chunk by"
HI = [{"role": "user", "content": "Hi"}]


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    up = Upstream(Path(tmp_path_factory.mktemp("up")) / "upstream.log").start()
    try:
        yield up
    finally:
        up.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, upstream: Upstream) -> Iterator[Server]:
    """Overrides the suite's ``server``: a gateway whose catalogue aliases point at ``upstream``."""
    env = gateway_env(upstream, upstream, upstream)
    srv = Server(tmp=Path(tmp_path_factory.mktemp("gw")), extra_env=env).start()
    try:
        yield srv
    finally:
        srv.stop()


def fund(server: Server, key: str, amount: int) -> None:
    r = httpx.post(server.url + "/api/v1/tokens/purchase", json={"amount": amount},
                   headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 201, r.text


@pytest.fixture
def funded_key(server: Server, fresh_key: str) -> str:
    fund(server, fresh_key, 100_000)
    return fresh_key


def test_chat_embeddings_and_models(server: Server, funded_key: str) -> None:
    with ICGPU(api_key=funded_key, base_url=server.url, timeout=30) as client:
        reply = client.llm.chat("llama-3-8b", HI, max_tokens=32, temperature=0.2)
        assert reply.text == FIXED and reply.body["model"] == "llama-3-8b"
        assert reply.tokens_used and reply.tokens_used > 0
        assert reply.tokens_remaining == 100_000 - reply.tokens_used
        assert reply.request_id and reply.request_id.startswith("req-")
        chunks = list(client.llm.chat_stream("llama-3-8b", HI, stream_options={"include_usage": True}))
        assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == FIXED
        assert chunks[-1]["usage"]["completion_tokens"] == 8
        vectors = client.llm.embeddings("bge-large-en-v1.5", ["one", "two", "three"]).embeddings
        assert len(vectors) == 3 and all(len(v) == 8 for v in vectors)
        models = {m["id"]: m for m in client.llm.models()}
        assert models["llama-3-8b"]["dev_engine"] is False and models["bge-large-en-v1.5"]["kind"] == "embedding"


async def test_async_chat_stream_and_embeddings(server: Server, funded_key: str) -> None:
    async with AsyncICGPU(api_key=funded_key, base_url=server.url, timeout=30) as client:
        reply = await client.llm.chat("llama-3-8b", HI)
        assert reply.text == FIXED
        text = [c["choices"][0]["delta"].get("content") or "" async for c in client.llm.chat_stream("llama-3-8b", HI)]
        assert "".join(text) == FIXED
        assert len((await client.llm.embeddings("bge-large-en-v1.5", "one")).embeddings) == 1
        assert any(m["id"] == "llama-3-8b" for m in await client.llm.models())


def test_402_insufficient_tokens(server: Server, fresh_key: str) -> None:
    with ICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        with pytest.raises(InsufficientTokensError) as err:
            client.llm.chat("llama-3-8b", HI)
        assert (err.value.status, err.value.type, err.value.code) == (402, "InsufficientTokens", "InsufficientTokens")
        with pytest.raises(InsufficientTokensError):
            list(client.llm.chat_stream("llama-3-8b", HI))
        with pytest.raises(InsufficientTokensError):
            client.llm.embeddings("bge-large-en-v1.5", "x")


async def test_402_async(server: Server, fresh_key: str) -> None:
    async with AsyncICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as client:
        with pytest.raises(InsufficientTokensError):
            await client.llm.chat("llama-3-8b", HI)


def test_502_upstream_down_is_service_unavailable(server: Server, funded_key: str) -> None:
    with ICGPU(api_key=funded_key, base_url=server.url, timeout=30, max_retries=0) as client:
        with pytest.raises(ServiceUnavailableError) as err:
            client.llm.chat("qwen2.5-7b", HI)
        e = err.value
        assert (e.status, e.type) == (502, "ServiceUnavailableException")
        assert e.retry_after is not None and e.retry_after >= 1
        with pytest.raises(ServiceUnavailableError):
            list(client.llm.chat_stream("qwen2.5-7b", HI))


def test_403_404_400(server: Server, funded_key: str) -> None:
    r = httpx.post(server.url + "/api/v1/api-keys", headers={"Authorization": f"Bearer {funded_key}"},
                   json={"name": f"vm-only-{uuid.uuid4().hex[:6]}", "scopes": ["vms"]})
    assert r.status_code == 201, r.text
    with ICGPU(api_key=r.json()["key"], base_url=server.url, timeout=30) as limited, \
            pytest.raises(PermissionDeniedError):
        limited.llm.chat("llama-3-8b", HI)
    with ICGPU(api_key=funded_key, base_url=server.url, timeout=30) as client:
        with pytest.raises(NotFoundError):
            client.llm.chat("no-such-model", HI)
        with pytest.raises(ValidationError) as bad:
            client.llm.chat("llama-3-8b", HI, max_tokens=0)
        assert bad.value.field == "max_tokens"
