"""The local provisioner and the reconciler on real servers with small GPU inventories: capacity
waits, MIG and time-sliced slots, priority preemption of batch work, and restarts mid-transition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.graphql import (
    EVENTS_SUB,
    INSTANCES,
    event_types,
    gql_data,
    gql_error,
    rest_create,
    rest_get,
    subscribe,
    tiers,
    wait_status,
)
from tests.support.server import Server, wait_for

# One node for the capacity, slot and preemption tests: each uses its own tier.
INVENTORY = "dedicated=1,mig=1x2,timesliced=1x1"
CAPACITY = {"dedicated": 1, "mig": 2, "timesliced": 1}
REQUEUE = """mutation Requeue($id: ID!) {
  requeueInstance(id: $id) { dryRun valid instance { id status statusReason workloadType } }
}"""


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp=Path(tmp_path_factory.mktemp("node")), extra_env={"ICGPU_LOCAL_INVENTORY": INVENTORY}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def owner(node: Server) -> Iterator[dict[str, Any]]:
    boot = node.bootstrap("prov-co", "owner@prov.example.com")
    with node.client(boot["oidc_token"]) as api:
        yield {**boot, "api": api}


@pytest.fixture
def api(node: Server, owner: dict[str, Any]) -> Iterator[httpx.Client]:
    """The owner's client; after each test every instance is gone and every slot is free again."""
    client: httpx.Client = owner["api"]
    yield client
    for inst in client.get(INSTANCES, params={"maxResults": 100}).json()["instances"]:
        client.delete(f"{INSTANCES}/{inst['id']}")
    wait_for(lambda: all(t["available"] == t["capacity"] for t in tiers(client).values()),
             timeout=15, what="every slot to be free again")


def statuses(api: httpx.Client, ids: list[str]) -> list[str]:
    return [rest_get(api, i)["status"] for i in ids]


def availability(api: httpx.Client, tier: str) -> tuple[int, int]:
    t = tiers(api)[tier]
    return t["capacity"], t["available"]


def test_inventory_is_the_configured_one(api: httpx.Client) -> None:
    listed = tiers(api)
    assert {k: (v["capacity"], v["available"]) for k, v in listed.items()} == \
        {k: (n, n) for k, n in CAPACITY.items()}


def test_full_tier_waits_for_capacity(api: httpx.Client) -> None:
    first = rest_create(api, "cap-first", "dedicated")
    running = wait_status(api, first["id"], "running")
    assert running["ssh_host"] and running["ssh_port"]
    assert availability(api, "dedicated") == (1, 0)

    second = rest_create(api, "cap-second", "dedicated")
    waiting = wait_for(lambda: (i := rest_get(api, second["id"]))["status_reason"] and
                       "capacity" in i["status_reason"] and i, timeout=10, what="a capacity reason")
    assert waiting["status"] == "pending" and "dedicated" in waiting["status_reason"]
    assert waiting["ssh_host"] is None and waiting["ssh_port"] is None
    # It keeps waiting: interactive work never evicts interactive work.
    time.sleep(0.5)
    assert statuses(api, [first["id"], second["id"]]) == ["running", "pending"]
    assert availability(api, "dedicated") == (1, 0)

    assert api.delete(f"{INSTANCES}/{first['id']}").status_code == 200
    now = wait_status(api, second["id"], "running")
    assert now["status_reason"] is None and now["ssh_port"] == running["ssh_port"]  # the same GPU
    assert availability(api, "dedicated") == (1, 0)

    assert api.delete(f"{INSTANCES}/{second['id']}").status_code == 200
    wait_for(lambda: availability(api, "dedicated") == (1, 1), timeout=10, what="the GPU to be free")


def test_mig_slices_are_separate_slots(api: httpx.Client) -> None:
    made = [rest_create(api, f"mig-{i}", "mig") for i in range(3)]
    ids = [m["id"] for m in made]

    def two_running() -> list[str] | None:
        now = statuses(api, ids)
        return now if now.count("running") == 2 else None

    wait_for(two_running, timeout=15, what="two MIG instances running")
    time.sleep(0.5)  # and no more than two, ever
    now = statuses(api, ids)
    assert sorted(now) == ["pending", "running", "running"], now
    assert now[2] == "pending", "the oldest two get the slices"
    ports = {rest_get(api, i)["ssh_port"] for i in ids[:2]}
    assert len(ports) == 2 and None not in ports, "each slice is its own workload"
    assert "capacity" in (rest_get(api, ids[2])["status_reason"] or "")
    assert availability(api, "mig") == (2, 0)

    # Stopping one frees its slice for the waiting one.
    assert api.post(f"{INSTANCES}/{ids[0]}/stop").status_code == 200
    wait_status(api, ids[0], "stopped")
    wait_status(api, ids[2], "running")
    assert availability(api, "mig") == (2, 0)
    # And a restart now waits in turn.
    assert api.post(f"{INSTANCES}/{ids[0]}/start").status_code == 200
    wait_for(lambda: "capacity" in (rest_get(api, ids[0])["status_reason"] or ""), timeout=10,
             what="the restarted instance to wait for capacity")
    assert statuses(api, ids) == ["pending", "running", "running"]


async def test_interactive_work_preempts_batch_work(node: Server, owner: dict[str, Any],
                                                    api: httpx.Client) -> None:
    token = owner["oidc_token"]
    # The preemption comes seconds after the subscription was opened, long after it went live.
    async with subscribe(node, token, EVENTS_SUB, {"types": ["instance.preempted"]}) as stream:
        batch = await asyncio.to_thread(rest_create, api, "batch-job", "timesliced", workload_type="batch")
        await asyncio.to_thread(wait_status, api, batch["id"], "running")
        assert availability(api, "timesliced") == (1, 0)

        interactive = await asyncio.to_thread(rest_create, api, "interactive-job", "timesliced")
        ev = (await stream.next(within=15))["events"]
        assert (ev["type"], ev["resourceId"]) == ("instance.preempted", batch["id"])
        assert ev["data"]["status"] == "preempted" and ev["data"]["previous_status"] == "running"
        assert interactive["id"] in ev["data"]["status_reason"]

    await asyncio.to_thread(after_preemption, node, api, batch["id"], interactive["id"])


def after_preemption(node: Server, api: httpx.Client, batch_id: str, interactive_id: str) -> None:
    preempted = rest_get(api, batch_id)
    assert preempted["status"] == "preempted" and preempted["ssh_host"] is None
    assert "preempted" in preempted["status_reason"].lower()
    assert event_types(node, batch_id) == ["instance.created", "instance.provisioning", "instance.started",
                                        "instance.preempted"]
    wait_status(api, interactive_id, "running")

    # Price: batch work is half the interactive price.
    inter = rest_get(api, interactive_id)
    assert preempted["hourly_price"] == pytest.approx(inter["hourly_price"] / 2)
    tier = tiers(api)["timesliced"]
    assert (inter["hourly_price"], preempted["hourly_price"]) == pytest.approx(
        (tier["price_per_hour"], tier["batch_price_per_hour"]))

    # Only a preempted batch instance can be requeued.
    r = api.post(f"{INSTANCES}/{interactive_id}/requeue")
    assert r.status_code == 409 and r.json()["error"]["type"] == "ConflictException", r.text
    err = gql_error(api, REQUEUE, {"id": interactive_id})
    assert err["extensions"]["code"] == "ConflictException"

    payload = gql_data(api, REQUEUE, {"id": batch_id})["requeueInstance"]
    assert payload["dryRun"] is False and payload["valid"] is True, payload
    requeued = payload["instance"]
    assert requeued["status"] == "PENDING" and requeued["workloadType"] == "BATCH"
    waiting = wait_for(lambda: "capacity" in ((i := rest_get(api, batch_id))["status_reason"] or "") and i,
                       timeout=10, what="the requeued batch instance to wait for capacity")
    assert waiting["status"] == "pending"
    time.sleep(0.5)  # batch work never evicts interactive work
    assert statuses(api, [interactive_id, batch_id]) == ["running", "pending"]
    r = api.post(f"{INSTANCES}/{batch_id}/requeue")
    assert r.status_code == 409, "a pending instance is not preempted"

    assert api.delete(f"{INSTANCES}/{interactive_id}").status_code == 200
    wait_status(api, batch_id, "running")
    assert event_types(node, batch_id)[-3:] == ["instance.pending", "instance.provisioning", "instance.started"]


def test_restart_mid_transition_resumes(make_server: Any) -> None:
    srv: Server = make_server(ICGPU_LOCAL_PROVISION_SECONDS="3", ICGPU_LOCAL_STOP_SECONDS="3")
    boot = srv.bootstrap("restart-co", "owner@restart.example.com")
    with srv.client(boot["api_key"]) as api:
        inst = rest_create(api, "survivor", "dedicated")
        wait_status(api, inst["id"], "provisioning", timeout=10)
    srv.kill()  # SIGKILL while the workload is starting

    srv.start()  # same database, same port
    with srv.client(boot["api_key"]) as api:
        # Still provisioning, or already running if the restart outlasted the start-up time.
        assert rest_get(api, inst["id"])["status"] in ("provisioning", "running")
        running = wait_status(api, inst["id"], "running", timeout=20)
        assert running["ssh_host"] and running["ssh_port"]
        assert api.post(f"{INSTANCES}/{inst['id']}/stop").status_code == 200
        assert rest_get(api, inst["id"])["status"] == "stopping"
    srv.kill()  # SIGKILL while the workload is stopping

    srv.start()
    with srv.client(boot["api_key"]) as api:
        stopped = wait_status(api, inst["id"], "stopped", timeout=20)
        assert stopped["ssh_host"] is None
        assert tiers(api)["dedicated"]["available"] == tiers(api)["dedicated"]["capacity"]
    # Each change happened exactly once, across both crashes.
    assert event_types(srv, inst["id"]) == ["instance.created", "instance.provisioning", "instance.started",
                                            "instance.stopping", "instance.stopped"]
