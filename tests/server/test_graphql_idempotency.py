"""Idempotency-Key on GraphQL mutations: the REST contract, over POST /graphql."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from icgpu.db.tables import ApiKey, Event, Instance
from tests.support.contracts import Caller, caller, count_rows
from tests.support.server import Server

CREATE = 'mutation($n: String!) { createInstance(input: {name: $n, tier: "mig"}) { instance { id name } } }'
STOP = "mutation($id: ID!) { stopInstance(id: $id) { instance { id status } } }"
NEW_KEY = 'mutation { createApiKey(input: {name: "ci", scopes: ["models"]}) { secret: key apiKey { id prefix } } }'


def post(api: httpx.Client, query: str, variables: dict[str, Any] | None = None,
         key: str | None = None, status: int = 200) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    r = api.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert r.status_code == status, r.text
    return r


@pytest.fixture(scope="module")
def owner(server: Server) -> Caller:
    return caller(server, f"gidem-{uuid.uuid4().hex[:6]}")


def test_replay_returns_the_first_response_and_writes_once(server: Server, owner: Caller) -> None:
    key = uuid.uuid4().hex
    first = post(owner.api, CREATE, {"n": "gq-once"}, key)
    again = post(owner.api, CREATE, {"n": "gq-once"}, key)
    assert first.json() == again.json() and "errors" not in first.json()
    assert first.headers["Idempotency-Key"] == key and again.headers["Idempotency-Key"] == key
    assert again.headers.get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first.headers
    inst_id = first.json()["data"]["createInstance"]["instance"]["id"]
    assert count_rows(server, Instance, account_id=owner.account_id, name="gq-once") == 1
    assert count_rows(server, Event, resource_id=inst_id, type="instance.created") == 1


def test_same_key_other_variables_is_409_and_writes_nothing(server: Server, owner: Caller) -> None:
    key = uuid.uuid4().hex
    post(owner.api, CREATE, {"n": "gq-first"}, key)
    clash = post(owner.api, CREATE, {"n": "gq-second"}, key).json()
    assert clash["data"] is None
    assert clash["errors"][0]["extensions"]["code"] == "ConflictException"
    assert clash["errors"][0]["extensions"]["reason"] == "IdempotencyKeyReused"
    assert count_rows(server, Instance, account_id=owner.account_id, name="gq-second") == 0


def test_errors_are_replayed_too(owner: Caller) -> None:
    key = uuid.uuid4().hex
    first = post(owner.api, STOP, {"id": "inst-doesnotexist"}, key).json()
    again = post(owner.api, STOP, {"id": "inst-doesnotexist"}, key).json()
    for body in (first, again):
        assert body["errors"][0]["extensions"]["code"] == "ResourceNotFoundException"
        assert body["errors"][0]["extensions"]["status"] == 404
    assert first["errors"][0]["message"] == again["errors"][0]["message"]


def test_concurrent_duplicates_have_one_effect(server: Server, owner: Caller) -> None:
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda _: post(owner.api, CREATE, {"n": "gq-race"}, key).json(), range(8)))
    assert all(b == bodies[0] for b in bodies) and "errors" not in bodies[0], bodies
    assert count_rows(server, Instance, account_id=owner.account_id, name="gq-race") == 1


def test_secret_is_not_replayed_even_under_an_alias(server: Server, owner: Caller) -> None:
    key = uuid.uuid4().hex
    first = post(owner.api, NEW_KEY, key=key).json()["data"]["createApiKey"]
    again = post(owner.api, NEW_KEY, key=key).json()["data"]["createApiKey"]
    assert first["secret"].startswith(first["apiKey"]["prefix"])
    assert again == {"secret": None, "apiKey": first["apiKey"]}
    assert count_rows(server, ApiKey, id=first["apiKey"]["id"]) == 1


def test_queries_ignore_the_key_and_bad_credentials_do_not_consume_it(server: Server, owner: Caller) -> None:
    key = uuid.uuid4().hex
    r = post(owner.api, "{ instances { nextToken } }", key=key)
    assert "errors" not in r.json() and "Idempotency-Key" not in r.headers
    with server.client("not-a-token") as stranger:
        denied = post(stranger, CREATE, {"n": "gq-stranger"}, key, status=401).json()
    assert denied["errors"][0]["extensions"]["code"] == "AuthenticationError"
    assert denied["error"]["type"] == "AuthenticationError" and denied.get("data") is None, denied
    ok = post(owner.api, CREATE, {"n": "gq-after"}, key).json()  # the key is still free for its owner
    assert ok["data"]["createInstance"]["instance"]["name"] == "gq-after"
