"""The real kube-scheduler places GPU pods on the fake nodes, and kwok reports them Running: a pod that
fits is bound and runs, one that fits nowhere stays Pending as Unschedulable, and interactive work
preempts batch work on a full node."""

from __future__ import annotations

import pytest
from kubernetes_asyncio import client

from tests.k8s.control_plane import condition, gpu_pod, read_pod, wait_for

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

DEDICATED = {"icgpu.dev/gpu-tier": "dedicated"}
GPU = "nvidia.com/gpu"


async def running(core: client.CoreV1Api, namespace: str, name: str, within: float = 60.0) -> client.V1Pod:
    async def probe() -> client.V1Pod | None:
        pod = await read_pod(core, namespace, name)
        return pod if pod is not None and pod.status.phase == "Running" else None

    return await wait_for(f"pod {namespace}/{name} Running", probe, within=within)


async def free_gpus(core: client.CoreV1Api, node: client.V1Node) -> int:
    """The node's allocatable GPUs minus the requests of the pods bound to it that still hold them."""
    pods = (await core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={node.metadata.name}")).items
    held = sum(int((c.resources.requests or {}).get(GPU, 0)) for p in pods
               if p.status.phase not in ("Succeeded", "Failed") for c in p.spec.containers)
    return int(node.status.allocatable[GPU]) - held


async def dedicated_node(core: client.CoreV1Api) -> client.V1Node:
    nodes = (await core.list_node(label_selector="icgpu.dev/gpu-tier=dedicated")).items
    assert len(nodes) == 1, [n.metadata.name for n in nodes]
    return nodes[0]


async def test_a_one_gpu_pod_is_scheduled_and_runs(core: client.CoreV1Api, namespace: str) -> None:
    await core.create_namespaced_pod(namespace, gpu_pod("one-gpu", GPU, 1))
    pod = await running(core, namespace, "one-gpu")
    # Bound by kube-scheduler to the only node with whole GPUs; kwok played the kubelet.
    assert pod.spec.node_name == (await dedicated_node(core)).metadata.name
    scheduled = condition(pod, "PodScheduled")
    assert scheduled is not None and scheduled.status == "True"
    assert pod.status.container_statuses[0].state.running is not None
    assert pod.status.host_ip == "127.0.0.1"
    assert pod.status.pod_ip and pod.status.pod_ip.startswith("10.244.")
    events = (await core.list_namespaced_event(namespace, field_selector="involvedObject.name=one-gpu")).items
    assert any(e.reason == "Scheduled" and "default-scheduler" in (e.reporting_component, e.source.component)
               for e in events), [(e.reason, e.reporting_component, e.source) for e in events]


@pytest.mark.parametrize(("resource", "tier"), [("nvidia.com/mig-1g.10gb", "mig"),
                                               ("nvidia.com/gpu.shared", "timesliced")])
async def test_mig_slices_and_time_sliced_shares_are_schedulable(core: client.CoreV1Api, namespace: str,
                                                                 resource: str, tier: str) -> None:
    await core.create_namespaced_pod(namespace, gpu_pod("slice", resource, 1))
    pod = await running(core, namespace, "slice")
    node = await core.read_node(pod.spec.node_name)
    assert node.metadata.labels["icgpu.dev/gpu-tier"] == tier


async def test_a_pending_pod_starts_when_gpus_are_freed(core: client.CoreV1Api, namespace: str) -> None:
    node = await dedicated_node(core)
    free = await free_gpus(core, node)
    assert free >= 1, f"{node.metadata.name} has no free GPU to fill"
    await core.create_namespaced_pod(namespace, gpu_pod("holder", GPU, free, node_selector=DEDICATED))
    await running(core, namespace, "holder")
    await core.create_namespaced_pod(namespace, gpu_pod("waiter", GPU, 1, node_selector=DEDICATED))

    async def unschedulable() -> client.V1PodCondition | None:
        pod = await read_pod(core, namespace, "waiter")
        assert pod is not None
        cond = condition(pod, "PodScheduled")
        return cond if cond is not None and cond.reason == "Unschedulable" else None

    await wait_for("waiter to be Unschedulable while the node is full", unschedulable, within=60)
    # Deleting the holder (kwok finishes the deletion, as a kubelet would) frees its GPUs: the
    # scheduler retries the waiting pod, which then runs.
    await core.delete_namespaced_pod("holder", namespace, grace_period_seconds=0)
    waiter = await running(core, namespace, "waiter")
    assert waiter.spec.node_name == node.metadata.name


async def test_more_gpus_than_any_node_has_stays_pending_unschedulable(core: client.CoreV1Api, namespace: str) -> None:
    nodes = (await core.list_node()).items
    most = max(int((n.status.allocatable or {}).get(GPU, 0)) for n in nodes)
    await core.create_namespaced_pod(namespace, gpu_pod("too-big", GPU, most + 1))

    async def unschedulable() -> client.V1PodCondition | None:
        pod = await read_pod(core, namespace, "too-big")
        assert pod is not None
        cond = condition(pod, "PodScheduled")
        return cond if cond is not None and cond.reason == "Unschedulable" else None

    cond = await wait_for("the scheduler to report too-big Unschedulable", unschedulable, within=60)
    assert cond.status == "False"
    assert f"Insufficient {GPU}" in cond.message, cond.message
    assert f"0/{len(nodes)} nodes are available" in cond.message, cond.message
    pod = await read_pod(core, namespace, "too-big")
    assert pod is not None and pod.status.phase == "Pending" and pod.spec.node_name is None


async def test_interactive_pod_preempts_batch_pod_on_a_full_node(core: client.CoreV1Api, namespace: str) -> None:
    node = await dedicated_node(core)
    free = await free_gpus(core, node)
    assert free >= 1, f"{node.metadata.name} has no free GPU to fill"
    # Batch work takes every free GPU of the node.
    await core.create_namespaced_pod(namespace, gpu_pod("batch", GPU, free, priority_class="icgpu-batch",
                                                        node_selector=DEDICATED))
    batch = await running(core, namespace, "batch")
    assert batch.spec.node_name == node.metadata.name and batch.spec.priority == 1000

    # More batch work does not preempt batch work (preemptionPolicy Never): it waits.
    await core.create_namespaced_pod(namespace, gpu_pod("batch-2", GPU, 1, priority_class="icgpu-batch",
                                                        node_selector=DEDICATED))

    async def waiting() -> client.V1PodCondition | None:
        pod = await read_pod(core, namespace, "batch-2")
        assert pod is not None
        cond = condition(pod, "PodScheduled")
        return cond if cond is not None and cond.reason == "Unschedulable" else None

    await wait_for("batch-2 to be Unschedulable", waiting, within=60)
    assert (await read_pod(core, namespace, "batch")) is not None

    # Interactive work on the full node: the scheduler preempts the batch pod and binds the new one there.
    await core.create_namespaced_pod(namespace, gpu_pod("interactive", GPU, 1, priority_class="icgpu-interactive",
                                                        node_selector=DEDICATED))
    interactive = await running(core, namespace, "interactive", within=90)
    assert interactive.spec.node_name == node.metadata.name
    assert interactive.spec.priority > batch.spec.priority

    async def batch_gone() -> bool | None:
        return True if await read_pod(core, namespace, "batch") is None else None

    await wait_for("the preempted batch pod to be deleted", batch_gone, within=60)
    events = (await core.list_namespaced_event(namespace, field_selector="involvedObject.name=batch")).items
    preempted = [e for e in events if e.reason == "Preempted"]
    assert preempted, [(e.reason, e.message) for e in events]
    # "Preempted by pod <the interactive pod's uid> on node <the node>", from the scheduler.
    assert interactive.metadata.uid in preempted[0].message, preempted[0].message
    assert node.metadata.name in preempted[0].message, preempted[0].message
