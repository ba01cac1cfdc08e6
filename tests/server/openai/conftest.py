"""A gateway server per test module: ``icgpu serve`` whose catalogue aliases point (setting
``ICGPU_MODEL_UPSTREAMS``) at loopback upstreams started here, plus one alias left to the
development engine (replicas started by the scaler, woken from zero):

| alias | upstream |
|---|---|
| llama-3-8b, bge-large-en-v1.5 | ``fast``: the fixed completion at once |
| mistral-7b (multiplier 0.8) | ``slow``: 10 content chunks, 150 ms apart |
| llama-3.1-8b | ``quiet``: reports no usage (the gateway counts with its tokenizer) |
| qwen2.5-7b | a closed port (the upstream is down) |
| llama-3-70b | the development engine, at zero replicas until called |
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.server.openai.upstreams import Upstream
from tests.support.server import Server, free_port
from tests.support.tenants import Tenant

SLOW_CHUNKS = 10
SLOW_DELAY_MS = 150
WAKE_WAIT_SECONDS = "0.3"


def _upstream(tmp: pytest.TempPathFactory, name: str, *args: str) -> Iterator[Upstream]:
    up = Upstream(Path(tmp.mktemp(name)) / "upstream.log", args).start()
    try:
        yield up
    finally:
        up.stop()


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    yield from _upstream(tmp_path_factory, "fast")


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    yield from _upstream(tmp_path_factory, "slow", "--chunks", str(SLOW_CHUNKS),
                         "--chunk-delay-ms", str(SLOW_DELAY_MS))


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    yield from _upstream(tmp_path_factory, "quiet", "--no-usage")


def gateway_env(fast: Upstream, slow: Upstream, quiet: Upstream, **extra: str) -> dict[str, str]:
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    mapping = {"llama-3-8b": fast.base_url, "bge-large-en-v1.5": fast.base_url, "mistral-7b": slow.base_url,
               "llama-3.1-8b": quiet.base_url, "qwen2.5-7b": down}
    return {"ICGPU_MODEL_UPSTREAMS": json.dumps(mapping), "ICGPU_MODEL_WAKE_WAIT_SECONDS": WAKE_WAIT_SECONDS,
            "ICGPU_LLM_UPSTREAM_CONNECT_TIMEOUT_SECONDS": "2", **extra}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fast: Upstream, slow: Upstream,
           quiet: Upstream) -> Iterator[Server]:
    """Overrides the suite's ``server``: the tenant fixtures (alice, tenant_factory) use this one."""
    srv = Server(tmp=Path(tmp_path_factory.mktemp("gw")), extra_env=gateway_env(fast, slow, quiet)).start()
    try:
        yield srv
    finally:
        srv.stop()


def client(server: Server, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0, timeout=30.0)


def async_client(server: Server, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0, timeout=30.0)


def credit(tenant: Tenant, amount: int) -> int:
    r = tenant.api.post("/api/v1/tokens/purchase", json={"amount": amount})
    assert r.status_code == 201, r.text
    return int(r.json()["balance"])


def balance(tenant: Tenant) -> dict[str, Any]:
    r = tenant.api.get("/api/v1/tokens/balance")
    assert r.status_code == 200, r.text
    return dict(r.json())


def usage_rows(tenant: Tenant) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(1000):
        params: dict[str, Any] = {"maxResults": 100}
        if token:
            params["nextToken"] = token
        r = tenant.api.get("/api/v1/tokens/usage", params=params)
        assert r.status_code == 200, r.text
        rows.extend(r.json()["usage"])
        token = r.json()["nextToken"]
        if not token:
            return rows
    raise AssertionError("usage pages did not end")


def usage_of(tenant: Tenant, request_id: str) -> dict[str, Any]:
    found = [u for u in usage_rows(tenant) if u["request_id"] == request_id]
    assert len(found) == 1, f"usage rows for {request_id}: {found}"
    return found[0]


@pytest.fixture
def funded(alice: Tenant) -> Tenant:
    credit(alice, 1_000_000)
    return alice
