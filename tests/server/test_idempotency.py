"""Idempotency-Key on writes: the first response is stored per account and replayed exactly."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from icgpu.db.tables import Event, Instance
from tests.support.contracts import (
    INSTANCES,
    SSH,
    Caller,
    act,
    assert_error,
    body,
    caller,
    count_rows,
    create,
    listed_ids,
    member,
    new_instance,
    wait_status,
)
from tests.support.server import Server

CONCURRENT = 10


def fresh(server: Server) -> Caller:
    return caller(server, "idem-" + uuid.uuid4().hex[:8])


def key() -> str:
    return "key-" + uuid.uuid4().hex


def created_events(server: Server, account_id: str) -> int:
    return count_rows(server, Event, type="instance.created", account_id=account_id)


def assert_replay(first: httpx.Response, again: httpx.Response, idem_key: str) -> None:
    assert again.status_code == first.status_code, again.text
    assert again.content == first.content
    assert first.headers["idempotency-key"] == idem_key
    assert again.headers["idempotency-key"] == idem_key
    assert again.headers["x-request-id"]


def test_replay_returns_the_first_response_and_creates_once(server: Server) -> None:
    me = fresh(server)
    k = key()
    first = create(me.api, "replayed", key=k)
    assert first.status_code == 201, first.text
    again = create(me.api, "replayed", key=k)
    assert_replay(first, again, k)
    assert again.json()["id"] == first.json()["id"]
    # The same account through its API key is the same account: still a replay.
    via_key = create(me.key_api, "replayed", key=k)
    assert_replay(first, via_key, k)
    # Key order and whitespace do not make it a different request.
    reordered = me.api.post(INSTANCES, headers={"Idempotency-Key": k, "Content-Type": "application/json"},
                            content=json.dumps(dict(reversed(list(body("replayed").items()))), indent=2))
    assert_replay(first, reordered, k)
    assert listed_ids(me.api) == [first.json()["id"]]
    assert count_rows(server, Instance, account_id=me.account_id) == 1
    assert created_events(server, me.account_id) == 1


def test_request_without_a_key_has_no_idempotency_header(server: Server) -> None:
    me = fresh(server)
    r = create(me.api, "no-key")
    assert r.status_code == 201, r.text
    assert "idempotency-key" not in r.headers


def test_same_key_with_different_parameters_is_a_conflict(server: Server) -> None:
    me = fresh(server)
    k = key()
    first = create(me.api, "original", key=k)
    assert first.status_code == 201, first.text
    for changed in ({"name": "other-name"}, {"storage_gb": 60}, {"tier": "dedicated"}):
        fields: dict[str, Any] = {"name": "original", "tier": "mig", **changed}
        r = create(me.api, fields.pop("name"), fields.pop("tier"), key=k, **fields)
        assert_error(r, 409, "ConflictException", code="IdempotencyKeyReused")
    # dryRun changes the request's parameters too.
    assert_error(create(me.api, "original", key=k, dry_run=True), 409, "ConflictException")
    assert listed_ids(me.api) == [first.json()["id"]]
    assert count_rows(server, Instance, account_id=me.account_id) == 1
    assert created_events(server, me.account_id) == 1
    # The stored response is untouched by the conflicts.
    assert_replay(first, create(me.api, "original", key=k), k)


def test_key_is_scoped_to_the_account(server: Server) -> None:
    me = fresh(server)
    teammate = member(server, me.tenant, "teammate@example.com")
    stranger = fresh(server)
    k = key()
    mine = create(me.api, "shared-key", key=k)
    theirs = create(teammate, "shared-key", key=k)
    strangers = create(stranger.api, "other-body", tier="timesliced", key=k)
    for r in (mine, theirs, strangers):
        assert r.status_code == 201, r.text
        assert r.headers["idempotency-key"] == k
    assert len({mine.json()["id"], theirs.json()["id"], strangers.json()["id"]}) == 3
    assert theirs.json()["account_id"] != me.account_id
    assert listed_ids(me.api) == [mine.json()["id"]]
    assert listed_ids(teammate) == [theirs.json()["id"]]
    assert listed_ids(stranger.api) == [strangers.json()["id"]]
    teammate.close()


def test_concurrent_duplicates_have_exactly_one_effect(server: Server) -> None:
    me = fresh(server)
    k = key()
    clients = [server.client(me.api.headers["authorization"].removeprefix("Bearer ")) for _ in range(CONCURRENT)]
    for c in clients:  # open each connection first so the requests really overlap
        assert c.get("/readyz").status_code == 200
    barrier = threading.Barrier(CONCURRENT, timeout=30)

    def send(c: httpx.Client) -> httpx.Response:
        barrier.wait()
        return create(c, "raced", key=k)

    with ThreadPoolExecutor(CONCURRENT) as pool:
        responses = list(pool.map(send, clients, timeout=60))
    for c in clients:
        c.close()
    for r in responses:
        assert r.status_code == 201, r.text
        assert r.headers["idempotency-key"] == k
    assert len({r.content for r in responses}) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    assert count_rows(server, Instance, account_id=me.account_id) == 1
    assert created_events(server, me.account_id) == 1
    assert listed_ids(me.api) == [responses[0].json()["id"]]


def test_an_error_response_is_replayed_too(server: Server) -> None:
    me = fresh(server)
    k = key()
    bad = create(me.api, "bad-tier", tier="nonexistent", key=k)
    err = assert_error(bad, 400, "ValidationException", field="tier")
    again = create(me.api, "bad-tier", tier="nonexistent", key=k)
    assert_replay(bad, again, k)
    assert assert_error(again, 400, "ValidationException", field="tier", replayed=True) == err
    assert again.headers.get("idempotent-replayed") == "true"
    # Fixing the body under the same key is a different request: a conflict, not a create.
    assert_error(create(me.api, "bad-tier", key=k), 409, "ConflictException", code="IdempotencyKeyReused")
    # A malformed body is a 400 that is stored and replayed as well.
    k2 = key()
    raw = {"Idempotency-Key": k2, "Content-Type": "application/json"}
    broken = me.api.post(INSTANCES, headers=raw, content=b"{not json")
    assert_error(broken, 400, "ValidationException", code="MalformedJson")
    assert_replay(broken, me.api.post(INSTANCES, headers=raw, content=b"{not json"), k2)
    assert listed_ids(me.api) == []
    assert count_rows(server, Instance, account_id=me.account_id) == 0


def test_invalid_keys_are_rejected(server: Server) -> None:
    me = fresh(server)
    assert_error(create(me.api, "long-key", key="k" * 256), 400, "ValidationException", field="Idempotency-Key")
    assert_error(create(me.api, "empty-key", key=""), 400, "ValidationException", field="Idempotency-Key")
    assert listed_ids(me.api) == []
    ok = create(me.api, "longest-key", key="k" * 255)
    assert ok.status_code == 201, ok.text


def test_stop_with_a_key_is_replayed(server: Server) -> None:
    me = fresh(server)
    inst = new_instance(me.api, "stop-me", tier="timesliced")
    other = new_instance(me.api, "stop-other", tier="timesliced")
    wait_status(me.api, inst["id"], "running")
    k = key()
    first = act(me.api, inst["id"], "stop", **{"Idempotency-Key": k})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "stopping"
    wait_status(me.api, inst["id"], "stopped")
    # The replay is the original answer, even though the instance has moved on since.
    again = act(me.api, inst["id"], "stop", **{"Idempotency-Key": k})
    assert_replay(first, again, k)
    assert again.json()["status"] == "stopping"
    # Without the key, stopping a stopped instance is an illegal transition.
    assert_error(act(me.api, inst["id"], "stop"), 409, "ConflictException")
    assert count_rows(server, Event, resource_id=inst["id"], type="instance.stopping") == 1
    # The same key on another route (another instance, or a create) is a different request.
    assert_error(act(me.api, other["id"], "stop", **{"Idempotency-Key": k}), 409, "ConflictException",
                 code="IdempotencyKeyReused")
    assert_error(create(me.api, "stop-me-2", key=k), 409, "ConflictException", code="IdempotencyKeyReused")
    assert other["id"] in listed_ids(me.api)
    assert count_rows(server, Event, resource_id=other["id"], type="instance.stopping") == 0


def test_unauthenticated_write_with_a_key_is_401_and_not_stored(server: Server) -> None:
    me = fresh(server)
    k = key()
    anon = server.client()
    r = anon.post(INSTANCES, json=body("anon"), headers={"Idempotency-Key": k})
    assert_error(r, 401, "AuthenticationError")
    anon.close()
    # The key is still free for the account.
    r = me.api.post(INSTANCES, json={"name": "after-anon", "tier": "mig", "ssh_key": SSH},
                    headers={"Idempotency-Key": k})
    assert r.status_code == 201, r.text


def test_replay_repeats_the_location_header(server: Server) -> None:
    who = caller(server, "idem-location")
    first = create(who.api, "located", key="loc-1")
    again = create(who.api, "located", key="loc-1")
    assert first.status_code == again.status_code == 201
    assert first.headers["Location"] == again.headers["Location"] == f"/api/v1/instances/{first.json()['id']}"
