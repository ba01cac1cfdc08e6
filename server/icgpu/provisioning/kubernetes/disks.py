"""Disks as PersistentVolumeClaims: a VM's root disk (``storage_gb`` of its spec) and the tenant's
persistent VM disks (``vm_disks`` rows).

A claim asks the cluster's default StorageClass for ``ReadWriteOnce`` storage of the disk's size in
GiB; KubeVirt attaches it to the VM as a ``persistentVolumeClaim`` volume. A pure renderer: the
provisioner applies what it returns.
"""

from __future__ import annotations

from icgpu.db.tables_disks import VmDisk
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType

PERSISTENT_VOLUME_CLAIM = ObjectType("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim")
DISK_LABEL = "icgpu.dev/disk"


def volume_claim(name: str, namespace: str, labels: dict[str, str], size_gb: int) -> Manifest:
    """A claim of `size_gb` GiB, mounted by one node at a time."""
    if size_gb < 1:
        raise ValueError(f"a disk has at least 1 GiB, not {size_gb}")
    return {
        "apiVersion": PERSISTENT_VOLUME_CLAIM.api_version,
        "kind": PERSISTENT_VOLUME_CLAIM.kind,
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "volumeMode": "Filesystem",
            "resources": {"requests": {"storage": f"{size_gb}Gi"}},
        },
    }


def claim_name(disk_id: str) -> str:
    """The claim of a persistent VM disk: its id, lower case as object names must be (the VM that the
    disk is attached to mounts the claim by this name: vm.py)."""
    return disk_id.lower()


def disk_claim(disk: VmDisk, namespace: str, labels: dict[str, str]) -> Manifest:
    """A persistent VM disk, labelled ``icgpu.dev/disk=<id>``; a resize re-applies a larger request (claims
    grow where the StorageClass allows expansion; never shrink)."""
    return volume_claim(claim_name(disk.id), namespace, {**labels, DISK_LABEL: disk.id}, disk.size_gb)
