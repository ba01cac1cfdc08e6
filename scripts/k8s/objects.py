"""The objects scripts/k8s-up.sh installs in the test control plane, as Kubernetes JSON.

- One kwok-managed fake node per GPU tier of the local simulator's inventory
  (``ICGPU_LOCAL_INVENTORY``, read through icgpu's own settings and parser, so the two always
  agree): whole GPUs as ``nvidia.com/gpu``, MIG slices as ``nvidia.com/mig-<profile>`` (the GPU
  operator's "mixed" MIG strategy), time-sliced shares as ``nvidia.com/gpu.shared`` (its
  time-slicing with ``renameByDefault``), each node labelled as the operator's GPU feature
  discovery labels it, plus ``icgpu.dev/gpu-tier``.
- The PriorityClasses the Kubernetes provisioner gives pods: ``icgpu-interactive`` (high, preempts
  lower priorities) and ``icgpu-batch`` (low; waits rather than preempting, and is what gets
  preempted).

``python objects.py`` prints them as a JSON list (for a look, or kubectl apply).
"""

from __future__ import annotations

import json
from typing import Any

from icgpu.provisioning.kubernetes.naming import (
    PRIORITY_CLASSES,
    TIER_LABEL,
    gpu_resource,
    mig_profile,
    tier_shape,
)
from icgpu.services.tiers import TIERS
from icgpu.settings import Settings

# What a fake GPU is: the tiers' 80 GB GPUs are H100 SXM5 80 GB.
GPU_PRODUCT = "NVIDIA-H100-80GB-HBM3"
GPU_FAMILY = "hopper"
GPU_COMPUTE = ("9", "0")
# The resource names, the tier label, MIG profiles and priority classes: the Kubernetes provisioner's
# (icgpu.provisioning.kubernetes.naming), so what pods ask for is what the nodes offer.

# A node's CPU, memory and pod capacity: enough that GPUs are always what runs out.
HOST_CAPACITY = {"cpu": "64", "memory": "512Gi", "pods": "110"}


def node_name(tier: str) -> str:
    return f"icgpu-gpu-{tier}"


def gpu_node(tier: str, gpus: int, per_gpu: int) -> dict[str, Any]:
    memory_mib = TIERS["dedicated"].gpu_memory_gb * 1024
    labels = {
        "kubernetes.io/hostname": node_name(tier),
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "type": "kwok",
        TIER_LABEL: tier,
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.product": GPU_PRODUCT,
        "nvidia.com/gpu.family": GPU_FAMILY,
        "nvidia.com/gpu.compute.major": GPU_COMPUTE[0],
        "nvidia.com/gpu.compute.minor": GPU_COMPUTE[1],
        "nvidia.com/gpu.count": str(gpus),
        "nvidia.com/gpu.memory": str(memory_mib),
        "nvidia.com/gpu.replicas": "1",
        "nvidia.com/gpu.sharing-strategy": "none",
        "nvidia.com/mig.capable": "true",
        "nvidia.com/mig.strategy": "mixed",
        "nvidia.com/mig.config": "all-disabled",
    }
    gpu_resources: dict[str, str]
    if tier == "dedicated":
        gpu_resources = {gpu_resource(tier): str(gpus)}
    elif tier == "mig":
        profile = mig_profile(per_gpu)
        resource = gpu_resource(tier, per_gpu).removeprefix("nvidia.com/")
        labels |= {
            "nvidia.com/mig.config": f"all-{profile}",
            f"nvidia.com/{resource}.count": str(gpus * per_gpu),
            f"nvidia.com/{resource}.product": f"{GPU_PRODUCT}-MIG-{profile}",
            f"nvidia.com/{resource}.memory": str(TIERS["mig"].gpu_memory_gb * 1024),
            f"nvidia.com/{resource}.replicas": "1",
            f"nvidia.com/{resource}.slices.gi": profile.split("g.")[0],
            f"nvidia.com/{resource}.slices.ci": profile.split("g.")[0],
        }
        gpu_resources = {gpu_resource(tier, per_gpu): str(gpus * per_gpu)}
    elif tier == "timesliced":
        labels |= {
            "nvidia.com/gpu.product": f"{GPU_PRODUCT}-SHARED",
            "nvidia.com/gpu.replicas": str(per_gpu),
            "nvidia.com/gpu.sharing-strategy": "time-slicing",
        }
        gpu_resources = {gpu_resource(tier): str(gpus * per_gpu)}
    else:
        raise ValueError(f"unknown GPU tier {tier!r}")
    capacity = HOST_CAPACITY | gpu_resources
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node_name(tier),
            "labels": labels,
            # kwok plays the kubelet of nodes annotated so.
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {},
        # Nodes accept their status on create: kwok keeps capacity and allocatable as given.
        "status": {"capacity": capacity, "allocatable": dict(capacity)},
    }


def gpu_nodes(inventory: str | None = None) -> list[dict[str, Any]]:
    text = Settings().local_inventory if inventory is None else inventory
    return [gpu_node(tier, gpus, per_gpu) for tier, (gpus, per_gpu) in tier_shape(text).items() if gpus]


def priority_classes() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": name},
            "value": value,
            "preemptionPolicy": policy,
            "globalDefault": False,
            "description": description,
        }
        for name, (value, policy, description) in PRIORITY_CLASSES.items()
    ]


if __name__ == "__main__":
    print(json.dumps(priority_classes() + gpu_nodes(), indent=2))
