"""Pre-made PersistentVolumes for the instance PVCs of the Kubernetes suite.

The test control plane has no storage provisioner (no kubelet, no CSI driver), so a PVC would stay
Pending, and the scheduler keeps a pod with an unbound PVC Pending too. The tests play the storage
administrator instead: static hostPath volumes without a storage class, which the PV controller
binds to class-less claims (nothing is ever written to them: kwok runs no container).
"""

from __future__ import annotations

import uuid

from kubernetes_asyncio import client

from tests.k8s.control_plane import wait_for

TEST_VOLUME_LABEL = "icgpu.dev/test-volume"
VOLUME_SIZE = "1Ti"  # larger than any instance's storage_gb (at most 500)


async def make_volumes(core: client.CoreV1Api, count: int) -> list[str]:
    run = uuid.uuid4().hex[:8]
    names = [f"icgpu-test-pv-{run}-{i}" for i in range(count)]
    for name in names:
        await core.create_persistent_volume(client.V1PersistentVolume(
            metadata=client.V1ObjectMeta(name=name, labels={TEST_VOLUME_LABEL: run}),
            spec=client.V1PersistentVolumeSpec(
                capacity={"storage": VOLUME_SIZE}, access_modes=["ReadWriteOnce"],
                persistent_volume_reclaim_policy="Retain", host_path=client.V1HostPathVolumeSource(path=f"/tmp/{name}"),
                storage_class_name="")))
    return names


async def remove_volumes(core: client.CoreV1Api, names: list[str], within: float = 60.0) -> None:
    """Delete the volumes (a bound one goes once its claim is gone) and wait until they are."""
    for name in names:
        try:
            await core.delete_persistent_volume(name)
        except client.ApiException as err:
            if err.status != 404:
                raise

    async def gone() -> bool | None:
        left = {v.metadata.name for v in (await core.list_persistent_volume()).items}
        return True if not left & set(names) else None

    await wait_for(f"volumes {names} to be deleted", gone, within=within)
