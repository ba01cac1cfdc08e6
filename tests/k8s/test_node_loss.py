"""Node loss: an instance running on a node that goes away becomes ``error`` with a reason naming the node.

The node is a kwok node of the test's own (the fixture's dedicated node's labels and capacity, one GPU),
deleted at the end, so the nodes the other modules share keep their capacity. The fixture's dedicated
node is filled for the test (an interactive holder pod), so the instance can only land on the new one.

End to end through a real ``icgpu serve`` on the Kubernetes provisioner: deleting the node makes the
instance ``error`` with "node <name> lost: it was deleted from the cluster" in GET
/api/v1/instances/{id}'s ``status_reason`` and an ``instance.error`` outbox event carrying it, within
seconds (the pod watch watches the nodes too: kube-controller-manager's PodGC would delete the pod only
40 to 80 s later). In process: a node that stops being Ready loses its pods only after the grace, a
pod whose node was deleted before the watch started is found at its first check, and ``node_loss``'s
rules on the objects themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from kubernetes_asyncio import client
from sqlalchemy import select

from icgpu.provisioning.base import Phase
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.naming import MANAGED_BY, MANAGER
from icgpu.provisioning.kubernetes.pods import NODE_LOST, marked_lost, node_loss, pod_observation
from icgpu.provisioning.kubernetes.resources import NODE, Resources
from icgpu.provisioning.kubernetes.watch import PodWatch
from icgpu.tasks import stop_task
from tests.k8s.conftest import KubernetesServers
from tests.k8s.control_plane import ROOT, ControlPlane, gpu_pod, kwok_stopped, wait_for
from tests.k8s.test_scheduling import GPU, running
from tests.k8s.volumes import make_volumes, remove_volumes
from tests.k8s.workloads import blocking, fill_dedicated_but, objects_of, wait_gone
from tests.support.graphql import db_scalars, event_types, rest_create, rest_get, wait_status
from tests.support.server import Server
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

WITHIN = 60.0  # seconds for any one state to be reached
HOSTNAME = "kubernetes.io/hostname"


def _fixture_objects() -> Any:
    """scripts/k8s/objects.py: the fake GPU nodes k8s-up.sh makes (loaded by path: it is a script)."""
    spec = importlib.util.spec_from_file_location("k8s_objects", ROOT / "scripts/k8s/objects.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spare_node(name: str) -> Manifest:
    """A one-GPU dedicated node like the fixture's (same labels and capacity per GPU), named ``name``."""
    node: Manifest = _fixture_objects().gpu_node("dedicated", 1, 1)
    node["metadata"]["name"] = name
    node["metadata"]["labels"][HOSTNAME] = name
    return node


async def ready(core: client.CoreV1Api, name: str) -> None:
    async def probe() -> bool | None:
        node = await core.read_node(name)
        conditions = {c.type: c.status for c in node.status.conditions or []}
        return True if conditions.get("Ready") == "True" and node.status.allocatable.get(GPU) == "1" else None

    await wait_for(f"kwok to make node {name} Ready", probe, within=WITHIN)


@contextlib.asynccontextmanager
async def extra_node(kube: client.ApiClient, core: client.CoreV1Api) -> AsyncIterator[str]:
    """A kwok node of the test's own, Ready with one GPU; deleted at the end if the test has not."""
    name = f"icgpu-gpu-loss-{uuid.uuid4().hex[:6]}"
    await core.create_node(cast(client.V1Node, spare_node(name)))  # a Node keeps the status it is created with
    try:
        await ready(core, name)
        yield name
    finally:
        await Resources(kube).delete(NODE, None, name)


@pytest.fixture
async def lost_node(kube: client.ApiClient, core: client.CoreV1Api) -> AsyncIterator[str]:
    async with extra_node(kube, core) as name:
        yield name


@pytest.fixture
async def only_node(kube: client.ApiClient, core: client.CoreV1Api, namespace: str) -> AsyncIterator[str]:
    """The extra node, once the fixture's dedicated node is full (an interactive holder pod in
    ``namespace``): a dedicated instance can only land on it."""
    await fill_dedicated_but(core, namespace, leave=0)
    async with extra_node(kube, core) as name:
        yield name


async def delete_orphans(core: client.CoreV1Api, node: str) -> None:
    """Force-delete the pods still bound to a deleted node, as PodGC does 40 to 80 s later (nothing else
    finishes their deletion: no kubelet, not even kwok, has them)."""
    for pod in (await core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={node}")).items:
        try:
            await core.delete_namespaced_pod(pod.metadata.name, pod.metadata.namespace, grace_period_seconds=0)
        except client.ApiException as err:
            if err.status != 404:
                raise


# -- end to end ----------------------------------------------------------------------------------


@pytest.fixture
def k8s_server(k8s_servers: KubernetesServers) -> Server:
    return k8s_servers()


@pytest.fixture
async def tenant(k8s_servers: KubernetesServers, k8s_server: Server, res: Resources,
                 core: client.CoreV1Api) -> AsyncIterator[Tenant]:
    """A tenant of the server, with a PV for its instance's claim; at the end its instances are deleted
    and their objects waited out (then ``k8s_servers`` deletes its namespace)."""
    volumes = await make_volumes(core, 1)
    made = await k8s_servers.tenant(k8s_server, "loss")
    yield made
    listed = await blocking(made.api.get, "/api/v1/instances", params={"maxResults": 100})
    for instance_id in [i["id"] for i in listed.json()["instances"]]:
        await blocking(made.api.delete, f"/api/v1/instances/{instance_id}")
        await wait_gone(res, instance_id)
    await remove_volumes(core, volumes)


def error_events(server: Server, instance_id: str) -> list[dict[str, Any]]:
    from icgpu.db.tables import Event

    stmt = select(Event.data).where(Event.resource_id == instance_id, Event.type == "instance.error")
    return [dict(d) for d in db_scalars(server, stmt)]


async def test_an_instance_on_a_deleted_node_becomes_error_naming_the_node(
        k8s_server: Server, tenant: Tenant, only_node: str, res: Resources, core: client.CoreV1Api) -> None:
    lost_node = only_node
    inst = await blocking(rest_create, tenant.api, "on-a-doomed-node", "dedicated")
    await blocking(wait_status, tenant.api, inst["id"], "running", WITHIN)
    pod = (await objects_of(res, inst["id"]))["Pod"][0]
    assert pod["spec"]["nodeName"] == lost_node

    deleted = time.monotonic()
    await core.delete_node(lost_node)
    errored = await blocking(wait_status, tenant.api, inst["id"], "error", WITHIN)
    took = time.monotonic() - deleted
    reason = f"node {lost_node} lost: it was deleted from the cluster"
    assert errored["status_reason"] == reason, errored
    assert errored["ssh_host"] is None and errored["ssh_port"] is None
    assert (await blocking(rest_get, tenant.api, inst["id"]))["status_reason"] == reason
    # The provisioner noticed the deletion itself: PodGC takes 40 s at the very least.
    assert took < 30, f"{took:.1f} s from the node's deletion to the instance's error"
    types = await blocking(event_types, k8s_server, inst["id"])
    assert types == ["instance.created", "instance.provisioning", "instance.started", "instance.error"], types
    [event] = await blocking(error_events, k8s_server, inst["id"])
    assert (event["status"], event["status_reason"], event["previous_status"]) == ("error", reason, "running")

    # The reconciler releases an errored instance's workload; its pod waits for PodGC, played here.
    await delete_orphans(core, lost_node)
    await wait_gone(res, inst["id"])
    assert (await blocking(rest_get, tenant.api, inst["id"]))["status"] == "error"


# -- in process: a node that stops being Ready ---------------------------------------------------


def ready_condition(status: str, since: datetime) -> dict[str, Any]:
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"type": "Ready", "status": status,
            "reason": "NodeStatusUnknown" if status != "True" else "KubeletReady",
            "message": "Kubelet stopped posting node status." if status != "True" else "kubelet is ready",
            "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}


async def set_ready(core: client.CoreV1Api, name: str, status: str, since: datetime) -> None:
    """Write the node's Ready condition as kube-controller-manager does for a silent node (Unknown, after
    its node-monitor grace period), dated ``since``. Only while kwok is paused: it re-initializes, at
    once, any node of its own that is not Ready."""
    await core.patch_node_status(name, {"status": {"conditions": [ready_condition(status, since)]}},
                                 _content_type="application/strategic-merge-patch+json")  # type: ignore[call-arg]


async def test_a_node_not_ready_past_the_grace_loses_its_pods(
        control_plane: ControlPlane, kube: client.ApiClient, core: client.CoreV1Api, namespace: str,
        lost_node: str) -> None:
    seen: list[Manifest] = []

    async def inspect(event: str, pod: Manifest) -> None:
        if event == "NODE_LOST":  # (not the pod's own LISTED, ADDED ... events)
            seen.append(pod)

    grace = 30.0
    watch = PodWatch(Resources(kube), inspect=inspect, node_grace=grace, check_seconds=3600)  # checks when asked
    on_node = gpu_pod("on-node", GPU, 1, node_selector={HOSTNAME: lost_node})
    on_node.metadata.labels = {MANAGED_BY: MANAGER}
    await core.create_namespaced_pod(namespace, on_node)
    await running(core, namespace, "on-node")
    task = asyncio.create_task(watch.run())

    async def ready_since(status: str, since: datetime) -> bool | None:
        node = watch.nodes.get("", lost_node) or {}
        found = [c for c in node.get("status", {}).get("conditions", []) if c["type"] == "Ready"]
        wanted = ready_condition(status, since)
        return True if found and (found[0]["status"], found[0]["lastTransitionTime"]) == \
            (status, wanted["lastTransitionTime"]) else None

    try:
        async def synced() -> bool | None:
            placed = watch.get(namespace, "on-node")
            ok = watch.nodes.get("", lost_node) is not None and placed is not None and placed["spec"].get("nodeName")
            return True if ok else None

        await wait_for("the watch to have the pod and its node", synced, within=WITHIN)
        assert await watch.check_nodes() == 0 and not seen, "a Ready node loses nothing"
        async with kwok_stopped(control_plane, core):
            now = datetime.now(UTC).replace(microsecond=0)
            await set_ready(core, lost_node, "Unknown", now - timedelta(seconds=5))
            await wait_for("the watch to see the node Unknown", lambda: ready_since("Unknown", now - timedelta(
                seconds=5)), within=WITHIN)
            assert await watch.check_nodes() == 0 and not seen, "not Ready for less than the grace: not lost yet"

            since = now - timedelta(seconds=grace + 5)
            await set_ready(core, lost_node, "Unknown", since)
            await wait_for("the watch to see the node Unknown since before the grace",
                           lambda: ready_since("Unknown", since), within=WITHIN)
            assert await watch.check_nodes() == 1
            [marked] = seen
            # Deleted before kwok resumes (kwok would make it Ready again, but without its addresses): the
            # deletion alone has the pod shown again, deleted being the reason now.
            await core.delete_node(lost_node)

            async def shown_deleted() -> bool | None:
                return True if any(pod_observation(p).reason == f"node {lost_node} lost: it was deleted from the "
                                   "cluster" for p in seen[1:]) else None

            await wait_for("the pod shown lost with its node's deletion", shown_deleted, within=WITHIN)
        obs = pod_observation(marked)
        assert obs.phase is Phase.FAILED, obs
        assert obs.reason == (f"node {lost_node} lost: not Ready since {since.isoformat()} "
                              "(NodeStatusUnknown: Kubelet stopped posting node status.)"), obs.reason
        # The cache keeps the pod as the API server has it; only what inspect is shown is marked.
        cached = watch.get(namespace, "on-node")
        assert cached is not None and pod_observation(cached).phase is not Phase.FAILED
    finally:
        await stop_task(task)


async def test_a_pod_whose_node_went_while_nobody_watched_is_lost_at_the_first_check(
        kube: client.ApiClient, core: client.CoreV1Api, namespace: str, lost_node: str) -> None:
    seen: list[Manifest] = []

    async def inspect(event: str, pod: Manifest) -> None:
        if event == "NODE_LOST":
            seen.append(pod)

    on_node = gpu_pod("orphan", GPU, 1, node_selector={HOSTNAME: lost_node})
    on_node.metadata.labels = {MANAGED_BY: MANAGER}
    await core.create_namespaced_pod(namespace, on_node)
    await running(core, namespace, "orphan")
    await core.delete_node(lost_node)  # before any watch: no DELETED event will say so
    watch = PodWatch(Resources(kube), inspect=inspect, check_seconds=0.2)
    task = asyncio.create_task(watch.run())
    try:
        async def shown() -> bool | None:
            return True if seen else None

        await wait_for("the orphan shown lost", shown, within=WITHIN)
    finally:
        await stop_task(task)
    obs = pod_observation(seen[0])
    assert obs.reason == f"node {lost_node} lost: it was deleted from the cluster", obs
    assert seen[0]["metadata"]["name"] == "orphan" and lost_node in watch.deleted_nodes


# -- the rules, on the objects alone -------------------------------------------------------------


def node(status: str | None, since: datetime | None = None, deleting: bool = False) -> Manifest:
    meta: dict[str, Any] = {"name": "n1"}
    if deleting:
        meta["deletionTimestamp"] = "2026-11-28T03:00:00Z"
    conditions = [] if status is None else [ready_condition(status, since or datetime.now(UTC))]
    return {"metadata": meta, "status": {"conditions": conditions}}


def test_which_nodes_are_lost() -> None:
    now = datetime.now(UTC)
    assert node_loss("n1", None, now) == "node n1 lost: it was deleted from the cluster"
    assert node_loss("n1", node("True", deleting=True), now) == "node n1 lost: it was deleted from the cluster"
    assert node_loss("n1", node("True", now - timedelta(hours=1)), now) is None
    assert node_loss("n1", node(None), now) is None, "a node not reporting yet is starting"
    assert node_loss("n1", node("False", now - timedelta(seconds=59)), now, grace=60) is None
    lost = node_loss("n1", node("Unknown", now - timedelta(seconds=61)), now, grace=60)
    assert lost is not None and lost.startswith("node n1 lost: not Ready since "), lost


def test_a_pod_marked_lost_is_failed_with_the_reason_and_keeps_its_other_conditions() -> None:
    pod: Manifest = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"nodeName": "n1"},
                     "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}
    marked = marked_lost(pod, "node n1 lost: it was deleted from the cluster")
    obs = pod_observation(marked)
    assert (obs.phase, obs.reason, obs.slot) == (Phase.FAILED, "node n1 lost: it was deleted from the cluster", "n1")
    assert [c["type"] for c in marked["status"]["conditions"]] == ["Ready", "DisruptionTarget"]
    assert marked["status"]["conditions"][-1]["reason"] == NODE_LOST
    assert pod["status"]["conditions"] == [{"type": "Ready", "status": "True"}], "the original is untouched"
    assert pod_observation(pod).phase is Phase.RUNNING
