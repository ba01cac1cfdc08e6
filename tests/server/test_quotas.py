"""Per-tenant limits (issue 10, item 7): the GPU limit on instances (create, start, requeue), the
quota view (GET /api/v1/quotas, GraphQL ``quotas``), per-tenant overrides through
``icgpu admin quota set``, and ``auto_stop_after_minutes`` on instances."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx

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
    get,
    listed_ids,
    member,
    new_instance,
    wait_status,
)
from tests.support.server import Server, wait_for

QUOTAS = "/api/v1/quotas"
LIMITS = {"ICGPU_TENANT_GPU_LIMIT": "2", "ICGPU_TENANT_STORAGE_QUOTA_GB": "300"}


def fresh(server: Server, prefix: str = "quota") -> Caller:
    return caller(server, f"{prefix}-{uuid.uuid4().hex[:8]}")


def gpu_exceeded(r: httpx.Response) -> None:
    assert_error(r, 409, "ConflictException", code="GpuQuotaExceeded")


def quotas(api: httpx.Client) -> dict[str, Any]:
    r = api.get(QUOTAS)
    assert r.status_code == 200, r.text
    return dict(r.json())


def events(server: Server, inst_id: str, type_: str) -> int:
    return count_rows(server, Event, resource_id=inst_id, type=type_)


# -- the GPU limit on instances ---------------------------------------------------------------------


def test_gpu_limit_on_create_start_and_requeue(make_server: Callable[..., Server]) -> None:
    server = make_server(**LIMITS)
    me = fresh(server)
    a = new_instance(me.api, "a", tier="mig")
    b = new_instance(me.api, "b", tier="timesliced", workload_type="batch")
    # A third GPU does not fit: 409, nothing written (no row, no event), the storage untouched.
    before = quotas(me.api)
    for dry_run in (True, False):
        gpu_exceeded(create(me.api, "c", dry_run=dry_run))
    assert sorted(listed_ids(me.api)) == sorted([a["id"], b["id"]])
    assert count_rows(server, Instance, account_id=me.account_id) == 2
    assert count_rows(server, Event, account_id=me.account_id, type="instance.created") == 2
    assert quotas(me.api) == before
    assert before["gpus"] == {"limit": 2, "used": 2, "remaining": 0, "by_family": {**before["gpus"]["by_family"],
                                                                                  "instances": 2}}
    # The limit is the tenant's: a teammate shares it, another tenant has its own.
    teammate = member(server, me.tenant, "teammate@example.com")
    gpu_exceeded(create(teammate, "theirs"))
    teammate.close()
    other = fresh(server, "other")
    new_instance(other.api, "free")
    # A stopping instance still holds its GPU until it is stopped; then one fits again.
    assert act(me.api, a["id"], "stop").status_code == 200
    wait_status(me.api, a["id"], "stopped")
    c = new_instance(me.api, "c")
    # Starting the stopped one would take a third GPU: refused, the instance stays stopped.
    gpu_exceeded(me.api.post(f"{INSTANCES}/{a['id']}/start", params={"dryRun": "true"}))
    gpu_exceeded(act(me.api, a["id"], "start"))
    assert get(me.api, a["id"])["status"] == "stopped"
    assert events(server, a["id"], "instance.pending") == 0  # created pending, never re-queued
    # Deleting one frees its GPU; the start passes.
    assert act(me.api, c["id"], "delete").status_code == 200
    assert act(me.api, a["id"], "start").status_code == 200
    assert quotas(me.api)["gpus"]["used"] == 2


def test_concurrent_creates_never_exceed_the_gpu_limit(make_server: Callable[..., Server]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    server = make_server(ICGPU_TENANT_GPU_LIMIT="3", ICGPU_RUN_WORKERS="false")
    me = fresh(server, "race")
    token = str(me.api.headers["authorization"]).removeprefix("Bearer ")
    clients = [server.client(token) for _ in range(8)]
    try:
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda ic: create(ic[1], f"race-{ic[0]}").status_code, enumerate(clients)))
    finally:
        for c in clients:
            c.close()
    assert sorted(codes) == [201] * 3 + [409] * 5, codes
    assert count_rows(server, Instance, account_id=me.account_id) == 3


# -- the quota view and the admin command -------------------------------------------------------------


def test_quota_view_and_admin_overrides(make_server: Callable[..., Server]) -> None:
    server = make_server(**LIMITS)
    me = fresh(server, "view")
    empty = quotas(me.api)
    assert empty == {
        "storage": {"limit_gb": 300, "used_gb": 0, "remaining_gb": 300},
        "gpus": {"limit": 2, "used": 0, "remaining": 0 + 2, "by_family": empty["gpus"]["by_family"]},
    }
    assert set(empty["gpus"]["by_family"]) >= {"instances"} and set(empty["gpus"]["by_family"].values()) == {0}
    new_instance(me.api, "one", storage_gb=100)
    view = quotas(me.api)
    assert view["storage"] == {"limit_gb": 300, "used_gb": 100, "remaining_gb": 200}
    assert view["gpus"]["used"] == 1 and view["gpus"]["remaining"] == 1 and view["gpus"]["by_family"]["instances"] == 1
    # The same through the API key and through GraphQL.
    assert quotas(me.key_api) == view
    gql = me.api.post("/graphql", json={"query": "{ quotas { storage { limitGb usedGb remainingGb } "
                                                 "gpus { limit used remaining byFamily { family used } } } }"})
    assert gql.status_code == 200 and "errors" not in gql.json(), gql.text
    q = gql.json()["data"]["quotas"]
    assert q["storage"] == {"limitGb": 300, "usedGb": 100, "remainingGb": 200}
    assert {f["family"]: f["used"] for f in q["gpus"]["byFamily"]} == view["gpus"]["by_family"]
    assert (q["gpus"]["limit"], q["gpus"]["used"], q["gpus"]["remaining"]) == (2, 1, 1)
    # Without credentials: 401.
    anon = server.client()
    assert_error(anon.get(QUOTAS), 401, "AuthenticationError")
    anon.close()

    # icgpu admin quota set: per-tenant overrides, shown at once and enforced.
    out = server.cli("admin", "quota", "set", "--tenant", me.tenant, "--gpus", "4", "--storage-gb", "150")
    shown = json.loads(out.stdout)
    assert shown["tenant"] == me.tenant and shown["gpu_limit"] == 4 and shown["storage_quota_gb"] == 150
    view = quotas(me.api)
    assert view["storage"] == {"limit_gb": 150, "used_gb": 100, "remaining_gb": 50}
    assert (view["gpus"]["limit"], view["gpus"]["remaining"]) == (4, 3)
    assert_error(create(me.api, "big", storage_gb=60), 409, "ConflictException", code="StorageQuotaExceeded")
    for i in range(3):
        new_instance(me.api, f"more-{i}", storage_gb=10)
    gpu_exceeded(create(me.api, "fifth", storage_gb=10))
    # Only the named limit changes; another tenant keeps the defaults.
    server.cli("admin", "quota", "set", "--tenant", me.tenant, "--gpus", "5")
    assert quotas(me.api)["storage"]["limit_gb"] == 150 and quotas(me.api)["gpus"]["limit"] == 5
    other = fresh(server, "view-other")
    assert quotas(other.api)["gpus"]["limit"] == 2 and quotas(other.api)["storage"]["limit_gb"] == 300
    # Bad uses: an unknown tenant, nothing to set, a negative number; nothing changes.
    for args in (("--tenant", "no-such-tenant", "--gpus", "1"), ("--tenant", me.tenant),
                 ("--tenant", me.tenant, "--gpus", "-1")):
        bad = server.cli("admin", "quota", "set", *args, check=False)
        assert bad.returncode != 0 and bad.stderr.strip(), (args, bad)
    assert quotas(me.api)["gpus"]["limit"] == 5


# -- auto_stop_after_minutes ----------------------------------------------------------------------------


def test_auto_stop_after_minutes(make_server: Callable[..., Server]) -> None:
    # One "minute" of auto_stop_after_minutes lasts 1 s on this server (ICGPU_AUTO_STOP_MINUTE_SECONDS).
    server = make_server(ICGPU_AUTO_STOP_MINUTE_SECONDS="1")
    me = fresh(server, "auto")
    inst = new_instance(me.api, "ttl", auto_stop_after_minutes=2)
    assert inst["auto_stop_after_minutes"] == 2 and inst["auto_stop_at"] is None
    keep = new_instance(me.api, "keep")
    assert keep["auto_stop_after_minutes"] is None
    running = wait_status(me.api, inst["id"], "running")
    assert running["auto_stop_at"] is not None
    stopped = wait_status(me.api, inst["id"], "stopped", timeout=20)
    assert stopped["status_reason"].startswith("auto-stopped after 2 minutes"), stopped
    assert stopped["auto_stop_at"] is None and stopped["auto_stop_after_minutes"] == 2
    assert events(server, inst["id"], "instance.auto_stopped") == 1
    assert events(server, inst["id"], "instance.stopped") == 1
    # The one without a limit keeps running.
    assert get(me.api, keep["id"])["status"] == "running"
    # Each start counts anew.
    assert act(me.api, inst["id"], "start").status_code == 200
    wait_status(me.api, inst["id"], "running")
    wait_for(lambda: events(server, inst["id"], "instance.auto_stopped") == 2, timeout=20,
             what="a second auto-stop")
    wait_status(me.api, inst["id"], "stopped")
    # Over GraphQL: the field on create and on the instance.
    gql = me.api.post("/graphql", json={
        "query": "mutation($k: String!) { createInstance(input: {name: \"g\", tier: \"mig\", sshKey: $k, "
                 "autoStopAfterMinutes: 5}) { instance { id autoStopAfterMinutes autoStopAt } } }",
        "variables": {"k": SSH}})
    made = gql.json()["data"]["createInstance"]["instance"]
    assert (made["autoStopAfterMinutes"], made["autoStopAt"]) == (5, None), gql.text
    assert get(me.api, made["id"])["auto_stop_after_minutes"] == 5


def test_auto_stop_bad_values(server: Server) -> None:
    me = fresh(server, "auto-bad")
    for value in (0, -1, 43201, "5", 1.5, True):
        assert_error(create(me.api, "bad", auto_stop_after_minutes=value), 400, "ValidationException",
                     field="auto_stop_after_minutes")
    assert listed_ids(me.api) == []
    assert count_rows(server, Instance, account_id=me.account_id) == 0
    assert count_rows(server, Event, account_id=me.account_id) == 0
