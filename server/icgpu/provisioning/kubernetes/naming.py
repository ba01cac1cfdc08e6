"""Names the Kubernetes provisioner gives things, in one place: tenant namespaces, object names, the
labels on every object, the GPU extended resource of each tier and the PriorityClasses.

The test control plane's fake nodes and priority classes (scripts/k8s/objects.py) import the
resource names, the tier label and the classes from here, so what the provisioner asks for and what
the nodes offer cannot drift apart.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from icgpu.provisioning.base import PRIORITY_INTERACTIVE, WorkloadKind
from icgpu.provisioning.local.inventory import parse_inventory

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "icgpu"  # the value of MANAGED_BY, and the field manager of every server-side apply
WORKLOAD_LABEL = "icgpu.dev/workload"
KIND_LABEL = "icgpu.dev/kind"
TENANT_LABEL = "icgpu.dev/tenant"
TIER_LABEL = "icgpu.dev/gpu-tier"  # on the GPU nodes (and on workloads' objects)
MANAGED_SELECTOR = f"{MANAGED_BY}={MANAGER}"

PLATFORM_NAMESPACE = "icgpu-platform"  # workloads of no tenant (the platform's shared catalogue deployments)
NAMESPACE_PREFIX = "icgpu-"

# GPU extended resources, as the NVIDIA GPU operator names them.
WHOLE_GPU_RESOURCE = "nvidia.com/gpu"
SHARED_RESOURCE = "nvidia.com/gpu.shared"  # time-slicing with renameByDefault
MIG_RESOURCE_PREFIX = "nvidia.com/mig-"  # the "mixed" MIG strategy: the profile is in the name
# MIG profiles of an 80 GB H100, by instances per GPU (the largest profile giving that many).
MIG_PROFILES = {7: "1g.10gb", 4: "1g.20gb", 3: "2g.20gb", 2: "3g.40gb", 1: "7g.80gb"}

INTERACTIVE_CLASS = "icgpu-interactive"
BATCH_CLASS = "icgpu-batch"
# name -> (value, preemptionPolicy, description)
PRIORITY_CLASSES = {
    INTERACTIVE_CLASS: (100000, "PreemptLowerPriority",
                        "Interactive GPU work: preempts batch work when GPUs run out."),
    BATCH_CLASS: (1000, "Never", "Batch GPU work: queues rather than preempting; preempted by interactive work."),
}

_DNS_LABEL_MAX = 63
_INVALID = re.compile(r"[^a-z0-9-]+")


def dns_label(text: str, *, max_length: int = _DNS_LABEL_MAX) -> str:
    """``text`` as a DNS-1123 label: lower case, ``.``/``_`` and other characters to ``-``. When that
    changed more than the case or had to be shortened, a short hash of the original keeps two
    different inputs apart."""
    lowered = text.lower()
    cleaned = _INVALID.sub("-", lowered).strip("-")
    if cleaned == lowered and len(cleaned) <= max_length and cleaned:
        return cleaned
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{cleaned[:max_length - 9].rstrip('-')}-{digest}".lstrip("-")


def namespace(tenant_id: str | None) -> str:
    """The tenant's namespace (``icgpu-<tenant id>``); the platform's own workloads live in
    ``icgpu-platform``."""
    if tenant_id is None:
        return PLATFORM_NAMESPACE
    return NAMESPACE_PREFIX + dns_label(tenant_id, max_length=_DNS_LABEL_MAX - len(NAMESPACE_PREFIX))


def object_name(workload_id: str) -> str:
    """The name of a workload's objects (a DNS-1123 label: Services need one)."""
    return dns_label(workload_id)


def labels(workload_id: str, kind: WorkloadKind, tenant_id: str | None, tier: str) -> dict[str, str]:
    """The labels of every object of a workload: the provisioner lists, watches and deletes by them."""
    return {
        MANAGED_BY: MANAGER,
        WORKLOAD_LABEL: object_name(workload_id),
        KIND_LABEL: kind.value,
        TENANT_LABEL: dns_label(tenant_id) if tenant_id is not None else "platform",
        TIER_LABEL: tier,
    }


def mig_profile(slices_per_gpu: int) -> str:
    try:
        return MIG_PROFILES[slices_per_gpu]
    except KeyError:
        raise ValueError(f"no MIG profile of an 80 GB H100 gives {slices_per_gpu} instances per GPU "
                         f"(one of {sorted(MIG_PROFILES)})") from None


def tier_shape(inventory: str) -> dict[str, tuple[int, int]]:
    """tier -> (physical GPUs, slots per GPU), from the local simulator's inventory syntax."""
    slots = parse_inventory(inventory)
    gpus: dict[str, set[str]] = {}
    for slot in slots:
        gpus.setdefault(slot.tier, set()).add(slot.name.split("/")[0])
    per_tier = Counter(slot.tier for slot in slots)
    return {tier: (len(g), per_tier[tier] // len(g)) for tier, g in gpus.items()}


def gpu_resource(tier: str, slices_per_gpu: int = 1) -> str:
    """The extended resource one slot of ``tier`` is: a whole GPU, a MIG slice of the profile that
    cuts a GPU into ``slices_per_gpu``, or a time-sliced share."""
    if tier == "dedicated":
        return WHOLE_GPU_RESOURCE
    if tier == "mig":
        return MIG_RESOURCE_PREFIX + mig_profile(slices_per_gpu)
    if tier == "timesliced":
        return SHARED_RESOURCE
    raise ValueError(f"unknown GPU tier {tier!r}")


def gpu_resources(inventory: str) -> dict[str, str]:
    """tier -> extended resource for an inventory (the MIG profile follows its slices per GPU; a tier
    the inventory leaves out gets the default shape)."""
    shape = tier_shape(inventory)
    return {tier: gpu_resource(tier, shape.get(tier, (1, 7))[1] if tier == "mig" else 1)
            for tier in ("dedicated", "mig", "timesliced")}


def priority_class(priority: int) -> str:
    """Interactive work preempts; batch work is preemptible (WorkloadSpec.priority)."""
    return INTERACTIVE_CLASS if priority >= PRIORITY_INTERACTIVE else BATCH_CLASS
