"""Refusals on /v1 arrive as the official client's own exception classes, with the shared error
body (``{"error": {type, code, message, request_id}}``): 400 BadRequestError naming the field, 401
AuthenticationError, 402 APIStatusError (the client has no class of its own for 402), 403
PermissionDeniedError, 404 NotFoundError, 429 RateLimitError, 502 InternalServerError with
Retry-After (the upstream down; a deployment waking from zero). A refused call holds nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from icgpu.gateway import tokenizer
from tests.server.openai.conftest import async_client, balance, client, credit, gateway_env, usage_of
from tests.server.openai.upstreams import Upstream
from tests.support.server import Server
from tests.support.tenants import Tenant, open_tenant

MESSAGES = [{"role": "user", "content": "Hi"}]


def amounts(b: dict[str, Any]) -> tuple[int, int, int]:
    return b["balance"], b["reserved"], b["available"]


def body_of(exc: openai.APIStatusError) -> dict[str, Any]:
    assert isinstance(exc.body, dict)
    return exc.body  # the client keeps the "error" object


def test_no_credential_is_401(server: Server) -> None:
    r = httpx.post(server.url + "/v1/chat/completions", json={"model": "llama-3-8b", "messages": MESSAGES})
    assert r.status_code == 401 and r.json()["error"]["type"] == "AuthenticationError"
    assert httpx.get(server.url + "/v1/models").status_code == 401
    assert httpx.post(server.url + "/v1/embeddings", json={}).status_code == 401


def test_bad_key_is_the_clients_authentication_error(server: Server) -> None:
    with pytest.raises(openai.AuthenticationError) as err:
        client(server, "sk-ic-" + "x" * 43).chat.completions.create(model="llama-3-8b", messages=MESSAGES)
    assert err.value.status_code == 401
    assert body_of(err.value)["type"] == "AuthenticationError"
    assert body_of(err.value)["request_id"] == err.value.response.headers["x-request-id"]


async def test_bad_key_async(server: Server) -> None:
    async with async_client(server, "sk-ic-nope") as c:
        with pytest.raises(openai.AuthenticationError):
            await c.models.list()


def test_insufficient_tokens_is_402(server: Server, alice: Tenant) -> None:
    for stream in (False, True):
        with pytest.raises(openai.APIStatusError) as err:
            client(server, alice.api_key).chat.completions.create(model="llama-3-8b", messages=MESSAGES,
                                                                  stream=stream)
        assert type(err.value) is openai.APIStatusError and err.value.status_code == 402
        assert body_of(err.value)["type"] == "InsufficientTokens"
        assert "purchase" in err.value.message
    with pytest.raises(openai.APIStatusError) as emb:
        client(server, alice.api_key).embeddings.create(model="bge-large-en-v1.5", input="x")
    assert emb.value.status_code == 402
    assert balance(alice)["reserved"] == 0


def test_key_without_the_models_scope_is_403(server: Server, alice: Tenant) -> None:
    credit(alice, 10_000)
    r = alice.api.post("/api/v1/api-keys", json={"name": "infra-only", "scopes": ["instances"],
                                                  "permissions": ["read", "write"]})
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    with pytest.raises(openai.PermissionDeniedError) as err:
        client(server, key).chat.completions.create(model="llama-3-8b", messages=MESSAGES)
    assert body_of(err.value)["type"] == "AccessDeniedException"
    with pytest.raises(openai.PermissionDeniedError):
        client(server, key).embeddings.create(model="bge-large-en-v1.5", input="x")
    with pytest.raises(openai.PermissionDeniedError):
        client(server, key).models.list()
    assert balance(alice)["balance"] == 10_000


def test_unknown_model_is_404(server: Server, alice: Tenant) -> None:
    credit(alice, 10_000)
    with pytest.raises(openai.NotFoundError) as err:
        client(server, alice.api_key).chat.completions.create(model="no-such-model", messages=MESSAGES)
    assert body_of(err.value)["code"] == "ModelNotFound"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/chat/completions", {"model": "llama-3-8b"}, "messages"),
    ("/v1/chat/completions", {"messages": MESSAGES}, "model"),
    ("/v1/chat/completions", {"model": "llama-3-8b", "messages": []}, "messages"),
    ("/v1/chat/completions", {"model": "llama-3-8b", "messages": [{"role": "robot", "content": "x"}]},
     "messages.0.role"),
    ("/v1/chat/completions", {"model": "llama-3-8b", "messages": [{"role": "user"}]}, "messages.0.content"),
    ("/v1/chat/completions", {"model": "llama-3-8b", "messages": MESSAGES, "max_tokens": 0}, "max_tokens"),
    ("/v1/chat/completions", {"model": "llama-3-8b", "messages": MESSAGES, "max_tokens": "9"}, "max_tokens"),
    ("/v1/chat/completions", {"model": "llama-3-8b", "messages": MESSAGES, "stream": "yes"}, "stream"),
    ("/v1/chat/completions", {"model": "llama-3-8b", "messages": MESSAGES, "stream_options": {}},
     "stream_options"),
    ("/v1/chat/completions", {"model": "bge-large-en-v1.5", "messages": MESSAGES}, "model"),
    ("/v1/embeddings", {"model": "bge-large-en-v1.5"}, "input"),
    ("/v1/embeddings", {"model": "bge-large-en-v1.5", "input": [1, 2]}, "input"),
    ("/v1/embeddings", {"model": "bge-large-en-v1.5", "input": "x", "encoding_format": "int8"}, "encoding_format"),
    ("/v1/embeddings", {"model": "llama-3-8b", "input": "x"}, "model"),
])
def test_bad_bodies_are_400_naming_the_field(server: Server, funded: Tenant, path: str, body: dict[str, Any],
                                            field: str) -> None:
    before = balance(funded)
    r = funded.key_api.post(path, json=body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert (err["type"], err["field"]) == ("ValidationException", field)
    assert err["message"].startswith(field)
    assert balance(funded) == before  # nothing held, nothing charged


def test_bad_body_through_the_client_is_bad_request(server: Server, funded: Tenant) -> None:
    with pytest.raises(openai.BadRequestError) as err:
        client(server, funded.api_key).chat.completions.create(model="llama-3-8b", messages=MESSAGES, max_tokens=0)
    assert body_of(err.value)["field"] == "max_tokens"
    r = funded.key_api.post("/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "body"
    r = funded.key_api.post("/v1/chat/completions?debug=1", json={"model": "llama-3-8b", "messages": MESSAGES})
    assert r.status_code == 400 and r.json()["error"]["code"] == "UnknownParameter"


def test_upstream_down_is_502_with_retry_after(server: Server, funded: Tenant) -> None:
    before = balance(funded)
    for stream in (False, True):
        with pytest.raises(openai.InternalServerError) as err:
            client(server, funded.api_key).chat.completions.create(model="qwen2.5-7b", messages=MESSAGES,
                                                                   stream=stream)
        assert err.value.status_code == 502
        assert body_of(err.value)["type"] == "ServiceUnavailableException"
        assert int(err.value.response.headers["retry-after"]) >= 1
    assert amounts(balance(funded)) == amounts(before)  # the holds were given back: nothing was used


def test_deployment_waking_from_zero_is_502_then_answers(server: Server, funded: Tenant) -> None:
    """llama-3-70b is served by the development engine, at zero replicas until called: the first call
    waits the (short) configured time, gets 502 + Retry-After saying it is waking, and a later call
    is answered by the replica the scaler started."""
    c = client(server, funded.api_key)
    with pytest.raises(openai.InternalServerError) as err:
        c.chat.completions.create(model="llama-3-70b", messages=MESSAGES, max_tokens=8)
    assert err.value.status_code == 502 and int(err.value.response.headers["retry-after"]) >= 1
    assert "waking" in err.value.message
    deadline = time.monotonic() + 60
    done = None
    while done is None and time.monotonic() < deadline:
        try:
            done = c.chat.completions.create(model="llama-3-70b", messages=MESSAGES, max_tokens=8)
        except openai.InternalServerError as again:
            assert again.status_code == 502
            time.sleep(0.2)
    assert done is not None, "the deployment never woke"
    assert done.model == "llama-3-70b" and done.choices[0].message.content
    assert 0 < done.usage.completion_tokens <= 8 if done.usage else False
    assert balance(funded)["reserved"] == 0


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory, fast: Upstream, slow: Upstream,
              quiet: Upstream) -> Iterator[Server]:
    env = gateway_env(fast, slow, quiet, ICGPU_RATE_LIMIT_LLM="3")
    srv = Server(tmp=Path(tmp_path_factory.mktemp("gw429")), extra_env=env).start()
    try:
        yield srv
    finally:
        srv.stop()


def test_rate_limit_is_the_clients_rate_limit_error(throttled: Server) -> None:
    with open_tenant(throttled, "throttled", "t@example.com") as tenant:
        credit(tenant, 10_000)
        c = client(throttled, tenant.api_key)
        for _ in range(3):
            c.chat.completions.create(model="llama-3-8b", messages=MESSAGES)
        with pytest.raises(openai.RateLimitError) as err:
            c.chat.completions.create(model="llama-3-8b", messages=MESSAGES)
        assert body_of(err.value)["type"] == "ThrottlingException"
        assert int(err.value.response.headers["retry-after"]) >= 1
        assert err.value.response.headers["x-ratelimit-limit"] == "3"
        assert tenant.api.get("/api/v1/tokens/balance").status_code == 200  # the dashboard group is apart


def test_upstream_refusal_is_400_and_failure_502_nothing_charged(server: Server, funded: Tenant) -> None:
    before = balance(funded)
    c = client(server, funded.api_key)
    with pytest.raises(openai.BadRequestError) as refused:
        c.chat.completions.create(model="llama-3-8b", messages=MESSAGES, extra_body={"x_upstream_status": 422})
    assert body_of(refused.value)["code"] == "UpstreamRejected"
    assert "failing with 422" in refused.value.message
    for status in (500, 503, 404, 429):
        with pytest.raises(openai.InternalServerError) as failed:
            c.chat.completions.create(model="llama-3-8b", messages=MESSAGES, extra_body={"x_upstream_status": status})
        assert failed.value.status_code == 502 and body_of(failed.value)["code"] == "UpstreamError"
        assert int(failed.value.response.headers["retry-after"]) >= 1
        # Every LLM answer carries the metering headers: nothing used, the balance unchanged.
        assert failed.value.response.headers["x-tokens-used"] == "0"
        assert int(failed.value.response.headers["x-tokens-remaining"]) == before["balance"]
    assert refused.value.response.headers["x-tokens-used"] == "0"
    assert amounts(balance(funded)) == amounts(before)


def test_upstream_failing_mid_stream_ends_with_an_error_event(server: Server, funded: Tenant) -> None:
    stream = client(server, funded.api_key).chat.completions.create(
        model="llama-3-8b", messages=MESSAGES, stream=True, extra_body={"x_fail_after_chunks": 3})
    received = []
    with pytest.raises(openai.APIError) as err:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert len(received) == 3  # what came before the failure was relayed
    assert "closed the connection" in err.value.message or "ended the stream" in err.value.message
    row = usage_of(funded, stream.response.headers["x-request-id"])  # and it is charged
    assert row["completion_tokens"] == tokenizer.count_tokens("".join(received))
    assert balance(funded)["reserved"] == 0
