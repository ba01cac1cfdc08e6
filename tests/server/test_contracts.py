"""Contracts every route shares: X-Request-Id, the error body, dryRun and the tenant storage quota.

Idempotency, pagination, rate limits and the instance state machine have files of their own
(test_idempotency.py, test_pagination.py, test_rate_limits.py, test_instance_states.py).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from icgpu.db.tables import Event, Instance
from tests.support.contracts import (
    INSTANCES,
    SSH,
    Caller,
    act,
    assert_error,
    caller,
    count_rows,
    create,
    listed_ids,
    member,
    new_instance,
)
from tests.support.server import Server

QUOTA = {"ICGPU_TENANT_STORAGE_QUOTA_GB": "100"}


def fresh(server: Server) -> Caller:
    return caller(server, "contracts-" + uuid.uuid4().hex[:8])


def dry_run(api: httpx.Client, name: str, tier: str = "mig", **fields: Any) -> httpx.Response:
    return create(api, name, tier, dry_run=True, **fields)


def assert_nothing_written(server: Server, who: Caller) -> None:
    assert listed_ids(who.api) == []
    assert count_rows(server, Instance, account_id=who.account_id) == 0
    assert count_rows(server, Event, account_id=who.account_id) == 0


def assert_quota_exceeded(r: httpx.Response) -> None:
    assert_error(r, 409, "ConflictException", code="StorageQuotaExceeded")


# -- X-Request-Id -----------------------------------------------------------------------------------


def test_request_id_on_success_and_unique(server: Server) -> None:
    me = fresh(server)
    seen = set()
    with server.client() as anon:
        for r in (me.api.get(INSTANCES), me.key_api.get(INSTANCES), anon.get("/api/v1/gpu-tiers"),
                  anon.get("/readyz"), create(me.api, "rid")):
            assert r.status_code < 300, r.text
            rid = r.headers.get("x-request-id")
            assert rid and rid.isascii() and rid.isprintable()
            seen.add(rid)
    assert len(seen) == 5


def test_request_id_matches_the_error_body(server: Server) -> None:
    me = fresh(server)
    anon, forged = server.client(), server.client("sk-ic-forged")
    errors = [
        (anon.get(INSTANCES), 401, "AuthenticationError"),
        (forged.get(INSTANCES), 401, "AuthenticationError"),
        (me.api.get(f"{INSTANCES}/inst-missing"), 404, "ResourceNotFoundException"),
        (anon.get("/api/v1/no-such-route"), 404, "ResourceNotFoundException"),
        (me.api.get("/api/v1/no-such-route"), 404, "ResourceNotFoundException"),
        (me.api.post(INSTANCES, content=b"[1, 2]", headers={"Content-Type": "application/json"}), 400,
         "ValidationException"),
        (me.api.post(INSTANCES, json={"name": "x", "tier": "mig", "extra": 1}), 400, "ValidationException"),
        (me.api.get(INSTANCES, params={"maxResults": "many"}), 400, "ValidationException"),
    ]
    ids = {assert_error(r, status, type_)["request_id"] for r, status, type_ in errors}
    assert len(ids) == len(errors)
    assert_error(anon.get("/api/v1/no-such-route"), 404, "ResourceNotFoundException", code="RouteNotFound")
    anon.close()
    forged.close()


def test_incoming_request_id_is_echoed_when_sane(server: Server) -> None:
    me = fresh(server)
    mine = "client-" + uuid.uuid4().hex
    ok = me.api.get(INSTANCES, headers={"X-Request-Id": mine})
    assert ok.status_code == 200 and ok.headers["x-request-id"] == mine
    err = me.api.get(f"{INSTANCES}/inst-missing", headers={"X-Request-Id": mine})
    assert assert_error(err, 404, "ResourceNotFoundException")["request_id"] == mine
    # Too long, or not printable ASCII: replaced by one of the server's own.
    for bad in ("x" * 129, "tab\there"):
        r = me.api.get(f"{INSTANCES}/inst-missing", headers={"X-Request-Id": bad})
        rid = assert_error(r, 404, "ResourceNotFoundException")["request_id"]
        assert rid != bad and 0 < len(rid) <= 128


# -- error body ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator(server: Server) -> Caller:
    return fresh(server)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"tier": "mig"}, "name"),
        ({"name": "Bad_Name", "tier": "mig"}, "name"),
        ({"name": "ok", "tier": "h100"}, "tier"),
        ({"name": "ok", "tier": "mig", "storage_gb": 9}, "storage_gb"),
        ({"name": "ok", "tier": "mig", "storage_gb": 501}, "storage_gb"),
        ({"name": "ok", "tier": "mig", "storage_gb": "50"}, "storage_gb"),
        ({"name": "ok", "tier": "mig", "workload_type": "spot"}, "workload_type"),
        ({"name": "ok", "tier": "mig", "ssh_key": "not a key"}, "ssh_key"),
    ],
)
def test_invalid_create_is_a_validation_error_naming_the_field(
    server: Server, validator: Caller, payload: dict[str, Any], field: str
) -> None:
    me = validator
    assert_error(me.api.post(INSTANCES, json=payload), 400, "ValidationException", field=field)
    assert_nothing_written(server, me)


def test_malformed_and_empty_bodies(server: Server) -> None:
    me = fresh(server)
    json_header = {"Content-Type": "application/json"}
    assert_error(me.api.post(INSTANCES, content=b"{oops", headers=json_header), 400, "ValidationException",
                 code="MalformedJson")
    assert_error(me.api.post(INSTANCES, content=b"", headers=json_header), 400, "ValidationException",
                 field="body")
    assert_error(me.api.post(INSTANCES, content=b'"text"', headers=json_header), 400, "ValidationException",
                 field="body")
    assert_nothing_written(server, me)


# -- dryRun -------------------------------------------------------------------------------------------


def test_dry_run_validates_and_writes_nothing(server: Server) -> None:
    me = fresh(server)
    r = dry_run(me.api, "preview", "dedicated", storage_gb=100, workload_type="batch")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["dryRun"] is True and data["valid"] is True
    preview = data["instance"]
    assert preview["name"] == "preview" and preview["tier"] == "dedicated"
    assert preview["storage_gb"] == 100 and preview["workload_type"] == "batch"
    assert preview["status"] == "pending" and preview["ssh_key"] == SSH
    assert preview["hourly_price"] > 0
    assert "location" not in r.headers
    assert r.headers["x-request-id"]
    # dryRun=false is an ordinary create.
    real = me.api.post(INSTANCES, params={"dryRun": "false"}, json={"name": "real", "tier": "mig"})
    assert real.status_code == 201 and real.json()["id"].startswith("inst-"), real.text
    act(me.api, real.json()["id"], "delete")
    other = fresh(server)
    assert dry_run(other.api, "preview").status_code == 200
    assert_nothing_written(server, other)


def test_dry_run_still_validates_and_authenticates(server: Server) -> None:
    me = fresh(server)
    assert_error(dry_run(me.api, "bad-tier", "h100"), 400, "ValidationException", field="tier")
    assert_error(dry_run(me.api, "big", storage_gb=501), 400, "ValidationException", field="storage_gb")
    anon = server.client()
    r = anon.post(INSTANCES, params={"dryRun": "true"}, json={"name": "anon", "tier": "mig"})
    assert_error(r, 401, "AuthenticationError")
    anon.close()
    assert_error(me.api.post(INSTANCES, params={"dryRun": "maybe"}, json={"name": "x", "tier": "mig"}), 400,
                 "ValidationException", field="dryRun")
    # A live name is taken for a dry run as well.
    inst = new_instance(me.api, "taken")
    assert_error(dry_run(me.api, "taken"), 409, "ConflictException", code="ResourceAlreadyExists")
    assert listed_ids(me.api) == [inst["id"]]
    act(me.api, inst["id"], "delete")


def test_dry_run_checks_the_quota_without_reserving(make_server: Callable[..., Server]) -> None:
    server = make_server(**QUOTA)
    me = caller(server, "dry-quota")
    for _ in range(2):  # a dry run reserves nothing, so the same 60 GB fits again
        assert dry_run(me.api, "sixty", storage_gb=60).status_code == 200
    assert_nothing_written(server, me)
    new_instance(me.api, "sixty", storage_gb=60)
    assert_quota_exceeded(dry_run(me.api, "another", storage_gb=60))
    assert dry_run(me.api, "forty", storage_gb=40).status_code == 200
    assert len(listed_ids(me.api)) == 1


# -- storage quota ------------------------------------------------------------------------------------


def test_storage_quota_per_tenant(make_server: Callable[..., Server]) -> None:
    server = make_server(**QUOTA)
    me = caller(server, "quota-co")
    first = new_instance(me.api, "first", storage_gb=60)
    over = create(me.api, "second", storage_gb=60)
    assert_quota_exceeded(over)
    assert listed_ids(me.api) == [first["id"]]
    assert count_rows(server, Instance, account_id=me.account_id) == 1
    assert count_rows(server, Event, account_id=me.account_id, type="instance.created") == 1
    # The quota is the tenant's: a teammate shares it, another tenant has its own.
    teammate = member(server, "quota-co", "teammate@example.com")
    assert_quota_exceeded(create(teammate, "teammates", storage_gb=50))
    assert create(teammate, "teammates", storage_gb=40).status_code == 201  # exactly 100 GB
    assert_quota_exceeded(create(me.api, "tiny", storage_gb=10))
    stranger = caller(server, "quota-other")
    new_instance(stranger.api, "theirs", storage_gb=100)
    # Stopping keeps the storage; deleting frees it.
    assert act(me.api, first["id"], "stop").status_code == 200
    assert_quota_exceeded(create(me.api, "second", storage_gb=60))
    assert act(me.api, first["id"], "delete").status_code == 200
    # A second delete is refused and frees nothing twice.
    assert_error(act(me.api, first["id"], "delete"), 409, "ConflictException")
    second = new_instance(me.api, "second", storage_gb=60)
    assert_quota_exceeded(create(me.api, "third", storage_gb=10))
    assert listed_ids(me.api) == [second["id"]]
    teammate.close()


def test_concurrent_creates_never_exceed_the_quota(make_server: Callable[..., Server]) -> None:
    server = make_server(**QUOTA)
    me = caller(server, "quota-race")
    token = str(me.api.headers["authorization"]).removeprefix("Bearer ")
    clients = [server.client(token) for _ in range(10)]
    barrier = threading.Barrier(len(clients), timeout=30)

    def send(i: int) -> httpx.Response:
        barrier.wait()
        return create(clients[i], f"racer-{i}", storage_gb=20)

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(send, range(len(clients)), timeout=60))
    for c in clients:
        c.close()
    won = [r for r in responses if r.status_code == 201]
    for r in responses:
        if r.status_code != 201:
            assert_quota_exceeded(r)
    assert len(won) == 5, [r.status_code for r in responses]
    assert sorted(listed_ids(me.api)) == sorted(r.json()["id"] for r in won)
    assert count_rows(server, Instance, account_id=me.account_id) == 5
    assert_quota_exceeded(create(me.api, "one-more", storage_gb=10))
