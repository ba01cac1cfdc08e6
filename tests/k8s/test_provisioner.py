"""The Kubernetes provisioner end to end: a real ``icgpu serve`` with ICGPU_PROVISIONER=kubernetes against
the test control plane. Instances become pods that kube-scheduler binds to the fake GPU nodes and kwok
reports Running; a full tier keeps a new instance pending with the scheduler's reason until one is
stopped; interactive work preempts batch work through the scheduler's priority preemption and
``instance.preempted`` is emitted; a server killed mid-way converges without duplicate objects after
a restart; GET /api/v1/gpu-tiers shows the cluster's capacity. Every object the instance renderer
makes passes the API server's validation (server-side dry run).

The control plane is shared with the other modules of the package: each test fills only what it
needs of the dedicated node, counted from what is free, and leaves no pod behind.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from kubernetes_asyncio import client

from icgpu.provisioning.base import PRIORITY_BATCH, PRIORITY_INTERACTIVE, WorkloadKind, WorkloadSpec
from icgpu.provisioning.kubernetes.naming import (
    MANAGED_BY,
    MANAGER,
    TIER_LABEL,
    WORKLOAD_LABEL,
    gpu_resources,
    object_name,
)
from icgpu.provisioning.kubernetes.provisioner import KubernetesProvisioner
from icgpu.provisioning.kubernetes.registry import renderer
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP, Resources
from icgpu.settings import Settings
from tests.k8s.conftest import KubernetesServers, new_provisioner
from tests.k8s.control_plane import ControlPlane, gpu_pod, wait_for
from tests.k8s.test_scheduling import DEDICATED, GPU, dedicated_node, free_gpus
from tests.k8s.volumes import make_volumes, remove_volumes
from tests.k8s.workloads import (
    PVC,
    SECRET,
    blocking,
    fill_dedicated_but,
    objects_of,
    scheduler_events,
    wait_gone,
)
from tests.support.graphql import INSTANCES, SSH, event_types, rest_create, rest_get, tiers, wait_status
from tests.support.server import Server
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

WITHIN = 60.0  # seconds for any one state to be reached (the cluster usually takes well under one)


@pytest.fixture
def k8s_server(k8s_servers: KubernetesServers) -> Server:
    return k8s_servers()


@pytest.fixture
async def volumes(core: client.CoreV1Api) -> AsyncIterator[list[str]]:
    """Volumes for the instance PVCs (removed once the instances that bound them are gone)."""
    names = await make_volumes(core, 4)
    yield names
    await remove_volumes(core, names)


@pytest.fixture
async def tenant(k8s_servers: KubernetesServers, k8s_server: Server, res: Resources,
                 volumes: list[str]) -> AsyncIterator[Tenant]:
    """A tenant of the server; at the end its instances are deleted and their objects waited out (then
    ``k8s_servers`` deletes its namespace, empty but for its quota)."""
    made = await k8s_servers.tenant(k8s_server, "k8s")
    yield made
    if k8s_server.proc is None:
        await blocking(k8s_server.start)  # a test killed it
    listed = await blocking(made.api.get, INSTANCES, params={"maxResults": 100})
    ids = [i["id"] for i in listed.json()["instances"]]
    for instance_id in ids:
        await blocking(made.api.delete, f"{INSTANCES}/{instance_id}")
    for instance_id in ids:
        await wait_gone(res, instance_id)


def owned_by(obj: dict[str, Any], record: dict[str, Any]) -> bool:
    refs = obj["metadata"].get("ownerReferences") or []
    return [(r["kind"], r["name"], r["uid"], r.get("blockOwnerDeletion")) for r in refs] == \
        [("ConfigMap", record["metadata"]["name"], record["metadata"]["uid"], True)]


async def cluster_capacity(core: client.CoreV1Api) -> tuple[int, int]:
    node = await dedicated_node(core)
    return int(node.status.allocatable[GPU]), await free_gpus(core, node)


async def test_an_instance_becomes_a_pod_the_scheduler_places_and_it_runs(
        tenant: Tenant, res: Resources, core: client.CoreV1Api) -> None:
    inst = await blocking(rest_create, tenant.api, "k8s-first", "dedicated")
    running = await blocking(wait_status, tenant.api, inst["id"], "running", WITHIN)
    found = await objects_of(res, inst["id"])
    assert {kind: len(items) for kind, items in found.items()} == \
        {"ConfigMap": 1, "Secret": 1, "PersistentVolumeClaim": 1, "Service": 1, "Pod": 1}
    pod, record = found["Pod"][0], found["ConfigMap"][0]
    namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    assert namespace.startswith("icgpu-tnt-") and name == object_name(inst["id"])

    # kube-scheduler bound it to the node with whole GPUs; kwok reported it Running.
    assert pod["spec"]["nodeName"] == (await dedicated_node(core)).metadata.name
    assert pod["status"]["phase"] == "Running"
    assert pod["spec"]["priorityClassName"] == "icgpu-interactive" and pod["spec"]["priority"] == 100000
    container = pod["spec"]["containers"][0]
    assert container["resources"] == {"requests": {GPU: "1"}, "limits": {GPU: "1"}}
    assert pod["spec"]["nodeSelector"] == {TIER_LABEL: "dedicated"}
    assert await scheduler_events(core, namespace, name, "Scheduled")
    assert running["status_reason"] is None
    # SSH: the Service's name in the cluster, port 22, selecting this pod.
    assert (running["ssh_host"], running["ssh_port"]) == (f"{name}.{namespace}.svc", 22)
    service = found["Service"][0]
    assert service["spec"]["ports"][0]["port"] == 22 and service["spec"]["clusterIP"].startswith("10.0.0.")
    assert all(pod["metadata"]["labels"][k] == v for k, v in service["spec"]["selector"].items())
    # The authorized keys from a Secret, the disk a bound PVC of storage_gb.
    secret = await res.get(SECRET, namespace, name)
    assert secret is not None
    mounts = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert mounts["authorized-keys"]["secret"]["secretName"] == name
    assert mounts["workspace"]["persistentVolumeClaim"]["claimName"] == name
    claim = await res.get(PVC, namespace, name)
    assert claim is not None and claim["spec"]["resources"]["requests"]["storage"] == f"{inst['storage_gb']}Gi"
    assert claim["status"]["phase"] == "Bound"
    assert base64.b64decode(secret["data"]["authorized_keys"]).decode().strip() == SSH
    # Labels, field manager and owner references on everything: the record owns the rest.
    for kind, items in found.items():
        obj = items[0]
        assert obj["metadata"]["labels"][MANAGED_BY] == MANAGER, kind
        assert obj["metadata"]["labels"][WORKLOAD_LABEL] == name, kind
        assert any(m["manager"] == MANAGER and m["operation"] == "Apply" for m in obj["metadata"]["managedFields"])
        if kind != "ConfigMap":
            assert owned_by(obj, record), (kind, obj["metadata"].get("ownerReferences"))
    quota = (await core.read_namespaced_resource_quota("icgpu-gpus", namespace)).spec.hard
    assert set(quota) == {f"requests.{r}" for r in gpu_resources(Settings().local_inventory).values()}

    # GET /api/v1/gpu-tiers: the dedicated node's allocatable and what is left of it.
    listed = (await blocking(tiers, tenant.api))["dedicated"]
    assert (listed["capacity"], listed["available"]) == await cluster_capacity(core)

    # Deleting the instance deletes every object (the record last) and frees the GPU.
    before = (await cluster_capacity(core))[1]
    assert (await blocking(tenant.api.delete, f"{INSTANCES}/{inst['id']}")).status_code == 200
    await wait_gone(res, inst["id"])
    assert (await cluster_capacity(core))[1] == before + 1
    await blocking(wait_status, tenant.api, inst["id"], "terminated", WITHIN)


async def test_a_full_tier_keeps_an_instance_pending_until_one_stops(
        tenant: Tenant, res: Resources, core: client.CoreV1Api, namespace: str) -> None:
    await fill_dedicated_but(core, namespace, leave=1)
    first = await blocking(rest_create, tenant.api, "k8s-holder", "dedicated")
    await blocking(wait_status, tenant.api, first["id"], "running", WITHIN)
    second = await blocking(rest_create, tenant.api, "k8s-waiter", "dedicated")

    def waiting() -> dict[str, Any] | None:
        now = rest_get(tenant.api, second["id"])
        return now if "Insufficient nvidia.com/gpu" in (now["status_reason"] or "") else None

    pending = await blocking(wait_for_sync, waiting, "the scheduler's reason on the waiting instance")
    assert pending["status"] == "pending" and pending["ssh_host"] is None
    assert "0/" in pending["status_reason"] and "nodes are available" in pending["status_reason"]
    listed = (await blocking(tiers, tenant.api))["dedicated"]
    assert listed["available"] == 0 and listed["capacity"] == (await cluster_capacity(core))[0]

    assert (await blocking(tenant.api.post, f"{INSTANCES}/{first['id']}/stop")).status_code == 200
    await blocking(wait_status, tenant.api, first["id"], "stopped", WITHIN)
    now = await blocking(wait_status, tenant.api, second["id"], "running", WITHIN)
    assert now["status_reason"] is None
    assert not any((await objects_of(res, first["id"])).values()), "a stopped instance keeps no object"


async def test_interactive_work_preempts_batch_work_through_the_scheduler(
        k8s_server: Server, tenant: Tenant, res: Resources, core: client.CoreV1Api, namespace: str) -> None:
    await fill_dedicated_but(core, namespace, leave=1)
    batch = await blocking(rest_create, tenant.api, "k8s-batch", "dedicated", workload_type="batch")
    await blocking(wait_status, tenant.api, batch["id"], "running", WITHIN)
    batch_pod = (await objects_of(res, batch["id"]))["Pod"][0]
    assert batch_pod["spec"]["priorityClassName"] == "icgpu-batch"

    interactive = await blocking(rest_create, tenant.api, "k8s-interactive", "dedicated")
    preempted = await blocking(wait_status, tenant.api, batch["id"], "preempted", WITHIN)
    assert preempted["status_reason"].startswith("Preempted"), preempted["status_reason"]
    assert preempted["ssh_host"] is None
    await blocking(wait_status, tenant.api, interactive["id"], "running", WITHIN)
    types = await blocking(event_types, k8s_server, batch["id"])
    assert types == ["instance.created", "instance.provisioning", "instance.started", "instance.preempted"], types
    # It was the real scheduler: its Preempted event on the batch pod names the interactive pod.
    inter_pod = (await objects_of(res, interactive["id"]))["Pod"][0]
    events = await scheduler_events(core, batch_pod["metadata"]["namespace"], batch_pod["metadata"]["name"],
                                    "Preempted")
    assert events and inter_pod["metadata"]["uid"] in events[0].message, [e.message for e in events]
    # The reconciler releases a preempted instance's workload: nothing of it is left in the cluster.
    await wait_gone(res, batch["id"])


async def test_a_killed_server_converges_without_duplicate_objects(
        k8s_server: Server, tenant: Tenant, res: Resources) -> None:
    inst = await blocking(rest_create, tenant.api, "k8s-survivor", "dedicated")
    k8s_server.kill()  # SIGKILL right after the request: the workload may be half made
    await blocking(k8s_server.start)  # same database, same port
    await running_or_explain(tenant, res, inst["id"])
    second = await blocking(rest_create, tenant.api, "k8s-second", "mig")
    k8s_server.kill()  # and again with one running and one just made
    await blocking(k8s_server.start)
    await running_or_explain(tenant, res, second["id"])
    for instance_id in (inst["id"], second["id"]):
        found = await objects_of(res, instance_id)
        assert {k: len(v) for k, v in found.items()} == \
            {"ConfigMap": 1, "Secret": 1, "PersistentVolumeClaim": 1, "Service": 1, "Pod": 1}, instance_id
    assert rest_get(tenant.api, inst["id"])["status"] == "running"


async def running_or_explain(tenant: Tenant, res: Resources, instance_id: str) -> None:
    try:
        await blocking(wait_status, tenant.api, instance_id, "running", WITHIN)
    except AssertionError:
        now = await blocking(rest_get, tenant.api, instance_id)
        found = await objects_of(res, instance_id)
        pods = [(p["metadata"]["name"], p.get("status")) for p in found["Pod"]]
        raise AssertionError(f"{instance_id} is {now['status']} ({now['status_reason']}); "
                             f"objects {({k: len(v) for k, v in found.items()})}; pods {pods}") from None


def wait_for_sync(probe: Any, what: str, within: float = WITHIN) -> Any:
    from tests.support.server import wait_for as wait

    return wait(probe, timeout=within, interval=0.1, what=what)


# -- the provisioner in this process (conftest.py's ``provisioner``; ``new_provisioner`` plays a restart) --


def spec(workload_id: str, priority: int, tier: str = "dedicated") -> WorkloadSpec:
    return WorkloadSpec(instance_id=workload_id, tier=tier, priority=priority, storage_gb=10, authorized_keys=SSH,
                        kind=WorkloadKind.INSTANCE, tenant_id="tnt-k8stest")


async def run_batch_then_preempt(provisioner: KubernetesProvisioner, workload: str, core: client.CoreV1Api,
                                 namespace: str, res: Resources, *, watching: bool = True) -> None:
    """Run a batch workload on the last free whole GPU, then start interactive work from elsewhere on
    it: the scheduler preempts the batch pod (``watching=False``: with the provisioner stopped first)."""
    await fill_dedicated_but(core, namespace, leave=1)

    async def running() -> bool | None:
        obs = await provisioner.ensure_running(spec(workload, PRIORITY_BATCH), replace_failed=False)
        return True if obs.phase.value == "Running" else None

    await wait_for("the batch workload to run", running, within=WITHIN)
    if not watching:
        await provisioner.stop()
    await core.create_namespaced_pod(namespace, gpu_pod("preemptor", GPU, 1, priority_class="icgpu-interactive",
                                                        node_selector=DEDICATED))

    async def pod_gone() -> bool | None:
        return True if not (await objects_of(res, workload))["Pod"] else None

    await wait_for("the batch pod to be preempted and deleted", pod_gone, within=WITHIN)


async def test_a_preemption_is_recorded_durably_across_a_restart(
        control_plane: ControlPlane, provisioner: KubernetesProvisioner, core: client.CoreV1Api, namespace: str,
        volumes: list[str], res: Resources) -> None:
    workload = f"inst-durable{time.monotonic_ns() % 10**6}"
    try:
        await run_batch_then_preempt(provisioner, workload, core, namespace, res)
        seen = (await provisioner.observe([workload]))[workload]
        assert seen.phase.value == "Evicted" and (seen.reason or "").startswith("Preempted"), seen

        # A new process (nothing in memory) still knows, from the record.
        await provisioner.stop()
        again = new_provisioner(control_plane)
        await again.start()
        try:
            seen = (await again.observe([workload]))[workload]
            assert seen.phase.value == "Evicted" and (seen.reason or "").startswith("Preempted"), seen
            assert workload in await again.workloads()
            kept = await again.ensure_running(spec(workload, PRIORITY_BATCH), replace_failed=False)
            assert kept.phase.value == "Evicted"
            # Replaced on request: a fresh pod, pending while the node is full.
            async def replaced() -> bool | None:
                obs = await again.ensure_running(spec(workload, PRIORITY_BATCH), replace_failed=True)
                return True if obs.phase.value == "Unschedulable" and "Insufficient" in (obs.reason or "") else None

            await wait_for("the replacement to wait for a GPU", replaced, within=WITHIN)

            async def stopped() -> bool | None:
                return True if (await again.ensure_stopped(workload)).phase.value == "Absent" else None

            await wait_for("the workload to be stopped", stopped, within=WITHIN)
            assert workload not in await again.workloads()
        finally:
            await again.stop()
    finally:
        await wait_gone(res, workload)


async def test_a_preemption_while_no_server_watched_is_found_in_the_schedulers_events(
        control_plane: ControlPlane, provisioner: KubernetesProvisioner, core: client.CoreV1Api, namespace: str,
        volumes: list[str], res: Resources) -> None:
    workload = f"inst-unseen{time.monotonic_ns() % 10**6}"
    try:
        await run_batch_then_preempt(provisioner, workload, core, namespace, res, watching=False)
        record = (await objects_of(res, workload))["ConfigMap"][0]
        assert "icgpu.dev/outcome" not in record["metadata"]["annotations"], "nobody was watching"
        later = new_provisioner(control_plane)
        await later.start()
        try:
            seen = (await later.observe([workload]))[workload]
            assert seen.phase.value == "Evicted" and (seen.reason or "").startswith("Preempted"), seen
            assert "Preempted by pod" in (seen.reason or ""), seen  # the scheduler's event
            record = (await objects_of(res, workload))["ConfigMap"][0]
            assert record["metadata"]["annotations"]["icgpu.dev/outcome"] == "Evicted", "and now recorded"

            async def stopped() -> bool | None:
                return True if (await later.ensure_stopped(workload)).phase.value == "Absent" else None

            await wait_for("the workload to be stopped", stopped, within=WITHIN)
        finally:
            await later.stop()
    finally:
        await wait_gone(res, workload)


async def test_every_instance_object_passes_the_api_servers_validation(
        provisioner: KubernetesProvisioner, res: Resources, namespace: str) -> None:
    kind = renderer(WorkloadKind.INSTANCE)
    tenant_objects = provisioner.namespace_manifests("tnt-dryrun")
    quota = [m for m in tenant_objects if m["kind"] == "ResourceQuota"]
    for tier in ("dedicated", "mig", "timesliced"):
        for priority in (PRIORITY_BATCH, PRIORITY_INTERACTIVE):
            workload = spec(f"inst-dry-{tier}", priority, tier)
            ctx = provisioner.context(workload.instance_id, workload.kind, None, tier, priority)
            ctx = type(ctx)(namespace=namespace, name=ctx.name, labels=ctx.labels, gpu_resource=ctx.gpu_resource,
                            priority_class=ctx.priority_class)
            manifests = [provisioner.record_manifest(workload, ctx, "digest"), *kind.render(workload, ctx)]
            for made in [*manifests, *quota]:
                manifest = {**made, "metadata": {**made["metadata"], "namespace": namespace}}
                stored = await res.apply(manifest, namespace=namespace, dry_run=True)
                assert stored["metadata"]["name"] == manifest["metadata"]["name"], manifest["kind"]
            assert await res.get(CONFIG_MAP, namespace, ctx.name) is None, "a dry run stores nothing"
    namespace_object = tenant_objects[0]
    stored = await res.apply(namespace_object, namespace=None, dry_run=True)
    assert stored["metadata"]["labels"][MANAGED_BY] == MANAGER
    # And the API server does refuse a bad one (the check can fail).
    bad = kind.render(spec("inst-bad", PRIORITY_BATCH), provisioner.context("inst-bad", WorkloadKind.INSTANCE, None,
                                                                             "dedicated", PRIORITY_BATCH))[-1]
    bad = {**bad, "metadata": {**bad["metadata"], "namespace": namespace}}
    bad["spec"] = {**bad["spec"], "containers": [{**bad["spec"]["containers"][0],
                                                  "resources": {"requests": {GPU: "1"}}}]}  # no limit
    with pytest.raises(client.ApiException) as refused:
        await res.apply(bad, namespace=namespace, dry_run=True)
    assert refused.value.status == 422

