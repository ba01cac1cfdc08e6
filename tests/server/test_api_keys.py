"""API keys (issue 3): create (secret shown once), list, revoke, validation, the grant ceiling,
scope and permission enforcement on REST and GraphQL, and the key.* events."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth import api_keys as material
from icgpu.db.tables import Event
from tests.support.auth import run_db, update_api_key
from tests.support.contracts import INSTANCES, assert_error, count_rows, new_instance
from tests.support.graphql import gql_data, gql_error
from tests.support.identity import API_KEYS, ME, Person, create_key, list_keys, sign_in
from tests.support.server import Server, wait_for

DAY = timedelta(days=1)
CREATE_INSTANCE = """
mutation Create($input: CreateInstanceInput!) {
  createInstance(input: $input) { instance { id name } }
}
"""
LIST_INSTANCES = "{ instances { items { id } nextToken } }"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def owner(server: Server) -> Person:
    tenant = unique("keys")
    return sign_in(server, tenant, f"owner@{tenant}.example.com")


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def key_events(server: Server, key_id: str, type_: str | None = None) -> list[dict[str, Any]]:
    """The outbox rows about one key, as dicts, in order."""

    async def read(s: AsyncSession) -> list[dict[str, Any]]:
        stmt = select(Event).where(Event.resource_id == key_id).order_by(Event.seq)
        if type_ is not None:
            stmt = stmt.where(Event.type == type_)
        return [{"type": e.type, "tenant_id": e.tenant_id, "account_id": e.account_id,
                 "resource_type": e.resource_type, "data": e.data} for e in await s.scalars(stmt)]

    return run_db(server, read)


# -- create, list, revoke -------------------------------------------------------------------------

def test_create_shows_the_key_once(server: Server, owner: Person) -> None:
    before = datetime.now(UTC)
    r = owner.api.post(API_KEYS, json={"name": "inference-key", "scopes": ["models", "instances"],
                                       "permissions": ["read", "write"], "expires_in_days": 90})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["id"].startswith("ak-")
    secret = created["key"]
    assert secret.startswith("sk-ic-") and len(secret) > 40
    assert created["prefix"] == secret[:10] and len(created["prefix"]) == len("sk-ic-") + 4
    assert created["name"] == "inference-key"
    assert created["scopes"] == ["instances", "models"] and created["permissions"] == ["read", "write"]
    expires = ts(created["expires_at"])
    assert before + 90 * DAY - timedelta(seconds=5) <= expires <= datetime.now(UTC) + 90 * DAY + timedelta(seconds=5)
    assert ts(created["created_at"]) + 90 * DAY == pytest.approx(expires, abs=timedelta(seconds=5))
    assert created["last_used_at"] is None and created["revoked_at"] is None

    listed = {k["id"]: k for k in list_keys(owner.api)}
    assert created["id"] in listed
    row = listed[created["id"]]
    assert "key" not in row
    assert {k: v for k, v in created.items() if k != "key"} == row
    text = owner.api.get(API_KEYS).text
    assert secret not in text and secret[10:] not in text and material.digest(secret) not in text

    # The key works, and is someone: its creator.
    with server.client(secret) as key_api:
        assert key_api.get(ME).json()["id"] == owner.id
        assert key_api.get(INSTANCES).status_code == 200


def test_defaults_and_no_expiry(owner: Person) -> None:
    r = owner.api.post(API_KEYS, json={"name": "  spaced  ", "scopes": ["files", "files", "batch"]})
    assert r.status_code == 201, r.text
    k = r.json()
    assert k["name"] == "spaced" and k["scopes"] == ["files", "batch"]
    assert k["permissions"] == ["read"] and k["expires_at"] is None
    assert create_key(owner.api, ["keys"], ["write", "read"], expires_in_days=3650)["permissions"] == [
        "read", "write"]


def test_list_shows_last_used(server: Server, owner: Person) -> None:
    k = create_key(owner.api, ["instances"], ["read"])
    unused = create_key(owner.api, ["instances"], ["read"], name="unused")
    with server.client(k["key"]) as key_api:
        assert key_api.get(INSTANCES).status_code == 200
    listed = {x["id"]: x for x in list_keys(owner.api)}
    used_at = listed[k["id"]]["last_used_at"]
    assert used_at is not None
    assert ts(k["created_at"]) <= ts(used_at) <= datetime.now(UTC) + timedelta(seconds=5)
    assert listed[unused["id"]]["last_used_at"] is None


def test_list_is_paginated_and_only_mine(server: Server, owner: Person) -> None:
    mine = {create_key(owner.api, ["models"], name=f"k{i}")["id"] for i in range(5)}
    colleague = sign_in(server, owner.tenant, "colleague@example.com")
    theirs = create_key(colleague.api, ["models"])["id"]
    seen: list[str] = []
    token = None
    for _ in range(10):
        params: dict[str, Any] = {"maxResults": 2}
        if token:
            params["nextToken"] = token
        page = owner.api.get(API_KEYS, params=params).json()
        assert len(page["api_keys"]) <= 2
        seen += [k["id"] for k in page["api_keys"]]
        token = page["nextToken"]
        if not token:
            break
    assert len(seen) == len(set(seen)) and set(seen) == mine
    assert [k["id"] for k in list_keys(colleague.api)] == [theirs]


def test_revoke(server: Server, owner: Person) -> None:
    doomed = create_key(owner.api, ["instances"], ["read"])
    kept = create_key(owner.api, ["instances"], ["read"])
    with server.client(doomed["key"]) as key_api:
        assert key_api.get(INSTANCES).status_code == 200
        r = owner.api.delete(f"{API_KEYS}/{doomed['id']}")
        assert r.status_code == 200, r.text
        assert r.json()["id"] == doomed["id"] and r.json()["revoked_at"] is not None and "key" not in r.json()
        assert_error(key_api.get(INSTANCES), 401, "AuthenticationError")
        assert_error(key_api.get(ME), 401, "AuthenticationError")
    ids = [k["id"] for k in list_keys(owner.api)]
    assert doomed["id"] not in ids and kept["id"] in ids
    assert_error(owner.api.delete(f"{API_KEYS}/{doomed['id']}"), 404, "ResourceNotFoundException")
    for bogus in ("ak-doesnotexist00", "nonsense", "inst-x"):
        assert_error(owner.api.delete(f"{API_KEYS}/{bogus}"), 404, "ResourceNotFoundException")
    with server.client(kept["key"]) as key_api:
        assert key_api.get(INSTANCES).status_code == 200


def test_another_accounts_key_is_not_found(server: Server, owner: Person) -> None:
    k = create_key(owner.api, ["instances"], ["read"])
    colleague = sign_in(server, owner.tenant, "colleague@example.com")
    foreign = sign_in(server, unique("elsewhere"), "someone@example.com")
    for who in (colleague, foreign):
        assert_error(who.api.delete(f"{API_KEYS}/{k['id']}"), 404, "ResourceNotFoundException")
        assert k["id"] not in [x["id"] for x in list_keys(who.api)]
    with server.client(k["key"]) as key_api:
        assert key_api.get(INSTANCES).status_code == 200
    assert k["id"] in [x["id"] for x in list_keys(owner.api)]


def test_idempotent_create_never_replays_the_secret(owner: Person) -> None:
    body = {"name": "once", "scopes": ["models"]}
    headers = {"Idempotency-Key": unique("idem")}
    first = owner.api.post(API_KEYS, json=body, headers=headers)
    assert first.status_code == 201 and first.json()["key"].startswith("sk-ic-"), first.text
    again = owner.api.post(API_KEYS, json=body, headers=headers)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true", again.text
    assert again.json()["id"] == first.json()["id"] and again.json()["key"] is None
    assert first.json()["key"] not in again.text
    assert [k["id"] for k in list_keys(owner.api)].count(first.json()["id"]) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"scopes": ["instances", "gpus"]}, "scopes"),
    ({"scopes": []}, "scopes"),
    ({"scopes": "instances"}, "scopes"),
    ({"scopes": None}, "scopes"),
    ({"permissions": ["read", "admin"]}, "permissions"),
    ({"permissions": []}, "permissions"),
    ({"expires_in_days": 0}, "expires_in_days"),
    ({"expires_in_days": -1}, "expires_in_days"),
    ({"expires_in_days": 4000}, "expires_in_days"),
    ({"expires_in_days": "30"}, "expires_in_days"),
    ({"expires_in_days": 1.5}, "expires_in_days"),
    ({"name": ""}, "name"),
    ({"name": "n" * 101}, "name"),
    ({"secret": "sk-ic-mine"}, "secret"),
])
def test_validation(owner: Person, changes: dict[str, Any], field: str) -> None:
    body = {"name": "v", "scopes": ["instances"], "permissions": ["read"], **changes}
    assert_error(owner.api.post(API_KEYS, json=body), 400, "ValidationException", field=field)
    assert list_keys(owner.api) == []


# -- the grant ceiling ----------------------------------------------------------------------------

def test_a_key_cannot_grant_more_than_it_holds(server: Server, owner: Person) -> None:
    maker = create_key(owner.api, ["keys", "instances"], ["read", "write"])["key"]
    reader = create_key(owner.api, ["keys", "instances"], ["read"])["key"]
    with server.client(maker) as api:
        for scopes in (["models"], ["instances", "models"], ["teams"], ["tokens"]):
            assert_error(api.post(API_KEYS, json={"name": "x", "scopes": scopes, "permissions": ["read"]}), 403,
                         "AccessDeniedException", code="ExceedsCreatorGrant")
        child = create_key(api, ["instances"], ["read", "write"])
        assert child["scopes"] == ["instances"] and child["expires_at"] is None
        assert create_key(api, ["keys", "instances"], ["read"])["permissions"] == ["read"]
        # What it made it can list and revoke: all of them are its account's keys.
        assert child["id"] in [k["id"] for k in list_keys(api)]
    with server.client(reader) as api:
        for perms in (["write"], ["read", "write"]):
            assert_error(api.post(API_KEYS, json={"name": "x", "scopes": ["instances"], "permissions": perms}),
                         403, "AccessDeniedException")
        # Read-only on keys: it may list them but make none, not even read-only ones.
        assert api.get(API_KEYS).status_code == 200
        assert_error(api.post(API_KEYS, json={"name": "x", "scopes": ["instances"], "permissions": ["read"]}), 403,
                     "AccessDeniedException")
        assert_error(api.delete(f"{API_KEYS}/{child['id']}"), 403, "AccessDeniedException")
    no_keys = create_key(owner.api, ["instances"], ["read", "write"])["key"]
    with server.client(no_keys) as api:
        assert_error(api.get(API_KEYS), 403, "AccessDeniedException")
        assert_error(api.post(API_KEYS, json={"name": "x", "scopes": ["instances"]}), 403, "AccessDeniedException")
    with server.client(child["key"]) as api:
        assert_error(api.get(API_KEYS), 403, "AccessDeniedException")


def test_a_key_made_by_a_key_dies_with_it(server: Server, owner: Person) -> None:
    parent = create_key(owner.api, ["keys", "models"], ["read", "write"], expires_in_days=2)
    ceiling = ts(parent["expires_at"])
    with server.client(parent["key"]) as api:
        longer = create_key(api, ["models"], expires_in_days=30)
        forever = create_key(api, ["models"])
        shorter = create_key(api, ["models"], expires_in_days=1)
    assert ts(longer["expires_at"]) <= ceiling and ts(forever["expires_at"]) <= ceiling
    assert ts(longer["expires_at"]) == pytest.approx(ceiling, abs=timedelta(seconds=1))
    assert ts(shorter["expires_at"]) == pytest.approx(ts(shorter["created_at"]) + DAY, abs=timedelta(seconds=5))
    # Made with a token, no ceiling applies.
    assert ts(create_key(owner.api, ["models"], expires_in_days=30)["expires_at"]) > ceiling


# -- scope and permission enforcement ---------------------------------------------------------------

def test_read_only_models_key_cannot_touch_instances(server: Server, owner: Person) -> None:
    inst = new_instance(owner.api, "owned-box")
    key = create_key(owner.api, ["models"], ["read"])["key"]
    with server.client(key) as api:
        r = api.post(INSTANCES, json={"name": "sneaky", "tier": "mig"})
        assert_error(r, 403, "AccessDeniedException", code="ScopeNotGranted")
        assert_error(api.get(INSTANCES), 403, "AccessDeniedException")
        assert_error(api.get(f"{INSTANCES}/{inst['id']}"), 403, "AccessDeniedException")
        assert_error(api.delete(f"{INSTANCES}/{inst['id']}"), 403, "AccessDeniedException")
        err = gql_error(api, CREATE_INSTANCE, {"input": {"name": "sneaky-gql", "tier": "mig"}})
        assert err["extensions"]["code"] == "AccessDeniedException", err
        err = gql_error(api, LIST_INSTANCES)
        assert err["extensions"]["code"] == "AccessDeniedException", err
    names = [i["name"] for i in owner.api.get(INSTANCES).json()["instances"]]
    assert names == ["owned-box"]


def test_read_only_instances_key_lists_but_cannot_create(server: Server, owner: Person) -> None:
    inst = new_instance(owner.api, "listed-box")
    key = create_key(owner.api, ["instances"], ["read"])["key"]
    with server.client(key) as api:
        r = api.get(INSTANCES)
        assert r.status_code == 200 and [i["id"] for i in r.json()["instances"]] == [inst["id"]]
        assert api.get(f"{INSTANCES}/{inst['id']}").status_code == 200
        assert gql_data(api, LIST_INSTANCES)["instances"]["items"] == [{"id": inst["id"]}]
        assert_error(api.post(INSTANCES, json={"name": "nope", "tier": "mig"}), 403, "AccessDeniedException",
                     code="PermissionNotGranted")
        assert_error(api.post(f"{INSTANCES}/{inst['id']}/stop"), 403, "AccessDeniedException")
        assert_error(api.delete(f"{INSTANCES}/{inst['id']}"), 403, "AccessDeniedException")
        err = gql_error(api, CREATE_INSTANCE, {"input": {"name": "nope-gql", "tier": "mig"}})
        assert err["extensions"]["code"] == "AccessDeniedException", err
    assert owner.api.get(f"{INSTANCES}/{inst['id']}").json()["status"] != "terminated"
    # A write key for instances creates over both protocols.
    writer = create_key(owner.api, ["instances"], ["read", "write"])["key"]
    with server.client(writer) as api:
        assert api.post(INSTANCES, json={"name": "rest-ok", "tier": "mig"}).status_code == 201
        made = gql_data(api, CREATE_INSTANCE, {"input": {"name": "gql-ok", "tier": "mig"}})
        assert made["createInstance"]["instance"]["name"] == "gql-ok"


# -- events ---------------------------------------------------------------------------------------

def test_created_and_deleted_events_never_hold_the_secret(server: Server, owner: Person) -> None:
    k = create_key(owner.api, ["instances", "models"], ["read", "write"], name="evented", expires_in_days=7)
    created = key_events(server, k["id"])
    assert [e["type"] for e in created] == ["key.created"]
    ev = created[0]
    assert ev["account_id"] == owner.id and ev["resource_type"] == "api_key"
    assert ev["data"]["id"] == k["id"] and ev["data"]["name"] == "evented" and ev["data"]["prefix"] == k["prefix"]
    assert ev["data"]["scopes"] == ["instances", "models"]
    assert owner.api.delete(f"{API_KEYS}/{k['id']}").status_code == 200
    assert owner.api.delete(f"{API_KEYS}/{k['id']}").status_code == 404
    events = key_events(server, k["id"])
    assert [e["type"] for e in events] == ["key.created", "key.deleted"]
    dumped = json.dumps(events)
    assert k["key"] not in dumped and k["key"][10:] not in dumped and material.digest(k["key"]) not in dumped
    assert count_rows(server, Event, resource_id=k["id"], type="key.deleted") == 1


def test_key_expired_is_announced_once(make_server: Any) -> None:
    # Expiry is simulated by editing the row: without the key cache, whose entries only the
    # database's own clock would age out (test_key_cache.py covers expiry through the cache).
    server: Server = make_server(ICGPU_SWEEP_INTERVAL_SECONDS="0.2", ICGPU_API_KEY_CACHE_SECONDS="0")
    owner = sign_in(server, unique("sweep"), "owner@example.com")
    doomed = create_key(owner.api, ["instances"], ["read"], expires_in_days=30)
    revoked = create_key(owner.api, ["instances"], ["read"], expires_in_days=30)
    fine = create_key(owner.api, ["instances"], ["read"], expires_in_days=30)
    assert owner.api.delete(f"{API_KEYS}/{revoked['id']}").status_code == 200
    with server.client(doomed["key"]) as api:
        assert api.get(INSTANCES).status_code == 200
        past = datetime.now(UTC) - timedelta(minutes=5)
        update_api_key(server, doomed["key"], expires_at=past)
        update_api_key(server, revoked["key"], expires_at=past)

        def expired_events() -> int:
            return count_rows(server, Event, resource_id=doomed["id"], type="key.expired")

        wait_for(expired_events, timeout=10, interval=0.1, what="key.expired")
        time.sleep(1.2)  # several more sweeps
        assert expired_events() == 1
        err = assert_error(api.get(INSTANCES), 401, "AuthenticationError")
        assert err["code"] == "ApiKeyExpired"
    ev = key_events(server, doomed["id"], "key.expired")[0]
    assert ev["account_id"] == owner.id and ev["data"]["id"] == doomed["id"]
    assert doomed["key"] not in json.dumps(ev)
    assert count_rows(server, Event, resource_id=revoked["id"], type="key.expired") == 0
    assert count_rows(server, Event, resource_id=fine["id"], type="key.expired") == 0
    with server.client(fine["key"]) as api:
        assert api.get(INSTANCES).status_code == 200

    # A restarted server does not announce it again.
    server.stop(drop=False)
    server.start()
    time.sleep(1.0)
    assert count_rows(server, Event, resource_id=doomed["id"], type="key.expired") == 1


def test_expired_key_cannot_be_revoked_twice_or_used(server: Server, owner: Person) -> None:
    k = create_key(owner.api, ["instances"], ["read"], expires_in_days=1)
    update_api_key(server, k["key"], expires_at=datetime.now(UTC) - timedelta(seconds=1))
    with server.client(k["key"]) as api:
        assert_error(api.get(ME), 401, "AuthenticationError")
    r = owner.api.delete(f"{API_KEYS}/{k['id']}")
    assert r.status_code == 200, r.text
    assert_error(owner.api.delete(f"{API_KEYS}/{k['id']}"), 404, "ResourceNotFoundException")


def test_unauthenticated_key_routes_are_401(server: Server) -> None:
    with server.client() as anon:
        assert_error(anon.get(API_KEYS), 401, "AuthenticationError")
        assert_error(anon.post(API_KEYS, json={"name": "x", "scopes": ["models"]}), 401, "AuthenticationError")
    with server.client("sk-ic-" + "x" * 43) as bogus:
        assert_error(bogus.get(API_KEYS), 401, "AuthenticationError")
    assert httpx.get(server.url + API_KEYS).status_code == 401
