"""Helpers of the Kubernetes provisioner's tests: a workload's objects as the API server holds them, and
a full GPU tier made by a pod that cannot be preempted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from kubernetes_asyncio import client

from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.naming import INTERACTIVE_CLASS, WORKLOAD_LABEL, object_name
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP, POD, Resources
from tests.k8s.control_plane import gpu_pod, wait_for
from tests.k8s.test_scheduling import DEDICATED, GPU, dedicated_node, free_gpus, running

T = TypeVar("T")

SECRET = ObjectType("", "v1", "secrets", "Secret")
PVC = ObjectType("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim")
SERVICE = ObjectType("", "v1", "services", "Service")
INSTANCE_TYPES = (CONFIG_MAP, SECRET, PVC, SERVICE, POD)  # the record and what an instance becomes


async def blocking(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A blocking helper (the HTTP clients of tests/support) off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def objects_of(res: Resources, workload_id: str) -> dict[str, list[Manifest]]:
    """kind -> the objects labelled with the workload, in every namespace."""
    selector = f"{WORKLOAD_LABEL}={object_name(workload_id)}"
    return {t.kind: list((await res.list(t, label_selector=selector)).get("items") or []) for t in INSTANCE_TYPES}


async def wait_gone(res: Resources, workload_id: str, within: float = 60.0) -> None:
    async def gone() -> bool | None:
        left = await objects_of(res, workload_id)
        return True if not any(left.values()) else None

    await wait_for(f"every object of {workload_id} to be deleted", gone, within=within)


async def fill_dedicated_but(core: client.CoreV1Api, namespace: str, leave: int) -> int:
    """Take all free whole GPUs but ``leave`` with one interactive pod (not preemptible by interactive
    work, and above batch work); returns how many it took."""
    node = await dedicated_node(core)
    free = await free_gpus(core, node)
    assert free >= leave, f"{node.metadata.name} has {free} free GPUs; the test needs {leave}"
    take = free - leave
    if take:
        await core.create_namespaced_pod(namespace, gpu_pod("holder", GPU, take, priority_class=INTERACTIVE_CLASS,
                                                            node_selector=DEDICATED))
        await running(core, namespace, "holder")
    return take


async def scheduler_events(core: client.CoreV1Api, namespace: str, pod: str, reason: str) -> list[client.CoreV1Event]:
    events = (await core.list_namespaced_event(namespace, field_selector=f"involvedObject.name={pod}")).items
    return [e for e in events if e.reason == reason]
