"""The Provisioner protocol: what the reconciler needs from a GPU cluster.

Every call is idempotent and level-triggered, like a Kubernetes controller: the reconciler says
what it wants (``ensure_running`` / ``ensure_stopped``) on every pass and reads back what the
cluster reports (``observe``), so a control-plane restart mid-transition loses nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from icgpu.provisioning.details import WorkloadDetails

if TYPE_CHECKING:
    from icgpu.db.tables_disks import VmDisk
    from icgpu.db.tables_vms import FirewallRule, VmNetwork

PRIORITY_BATCH = 0
PRIORITY_INTERACTIVE = 100
# The tier of a CPU-only VM's workload (``Provisioner.runs_cpu_vms``): no GPU, so no tier of its own.
NO_GPU_TIER = ""


class Phase(StrEnum):
    ABSENT = "Absent"  # no workload exists
    UNSCHEDULABLE = "Unschedulable"  # waiting for capacity
    STARTING = "Starting"  # scheduled, container starting
    RUNNING = "Running"
    TERMINATING = "Terminating"
    EVICTED = "Evicted"  # removed by the scheduler for higher-priority work
    FAILED = "Failed"
    SUCCEEDED = "Succeeded"  # a run-to-completion workload (a function run's Job) ended well


class WorkloadKind(StrEnum):
    """What a workload is for; a provisioner renders each kind as its own objects (the local simulator
    treats them alike: one GPU slot each)."""

    INSTANCE = "instance"
    VM = "vm"
    SLURM_NODE = "slurm-node"  # node 0 of an environment is its head
    FUNCTION_RUN = "function-run"
    MODEL_REPLICA = "model-replica"


@dataclass(frozen=True)
class WorkloadSpec:
    instance_id: str  # the workload's id: an instance, VM, Slurm node, function run or model replica
    tier: str
    priority: int
    storage_gb: int
    authorized_keys: str
    kind: WorkloadKind = WorkloadKind.INSTANCE
    tenant_id: str | None = None  # None for the platform's own workloads (shared catalogue deployments)
    # What the kind's objects need besides a GPU slot (details.py): a VM's size, image and networks, a run's
    # image, command and timeout, a replica's model and engine, a Slurm node's role. None for instances.
    details: WorkloadDetails | None = None


@dataclass(frozen=True)
class Observation:
    phase: Phase
    slot: str | None = None
    host: str | None = None
    port: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class WorkloadResult:
    """What a finished run-to-completion workload left (``Provisioner.workload_result``): its container's
    exit code, its log and when it ran, each None when the cluster has none to give (no container ran)."""

    exit_code: int | None = None
    logs: str | None = None
    deadline_exceeded: bool = False  # it was stopped at its deadline (a function run's timeout)
    started_at: datetime | None = None  # when its pod started (the GPU it holds is in use), if known
    finished_at: datetime | None = None  # when its container ended, if known


@dataclass(frozen=True)
class ModelEndpoint:
    """Where a model replica the cluster serves is called (``Provisioner.model_endpoint``): an
    OpenAI-compatible base URL (``.../v1``) and the ``model`` name to send there."""

    base_url: str
    model: str


@dataclass(frozen=True)
class TierCapacity:
    tier: str
    capacity: int
    available: int


class Provisioner(Protocol):
    # Whether a function run's workload runs the function itself (a Kubernetes Job: the workload IS the
    # run, its phase says how it ended, ``workload_result`` what it left); False: the workload only holds
    # the GPU slot and the function runner executes the entrypoint (the simulator's host executor).
    runs_functions: bool
    # Whether a model replica's workload serves the model itself (a KubeAI Model: calls go to
    # ``model_endpoint``); False: the workload only holds the GPU slot and the model scaler starts a
    # development-engine process on this host for it.
    serves_models: bool
    # Whether a CPU-only VM is a workload too (a KubeVirt VirtualMachine without a GPU device, its spec's
    # tier ``NO_GPU_TIER``); False: it takes no slot and the VM reconciler plays its boot and stop
    # times itself (the simulator's node has only GPU slots).
    runs_cpu_vms: bool

    async def start(self) -> None:
        """Connect and start watching (before any worker calls it)."""
        ...

    async def stop(self) -> None:
        """Stop watching and disconnect (after every worker has stopped)."""
        ...

    async def ensure_running(self, spec: WorkloadSpec, *, replace_failed: bool) -> Observation:
        """Create the workload if absent. An evicted or failed one is reported as such, unless
        ``replace_failed`` (a fresh attempt: start, requeue) asks for it to be replaced."""
        ...

    async def ensure_stopped(self, instance_id: str) -> Observation: ...

    async def observe(self, instance_ids: list[str]) -> dict[str, Observation]: ...

    async def workloads(self) -> list[str]: ...

    async def capacity(self) -> list[TierCapacity]: ...

    async def workload_result(self, instance_id: str) -> WorkloadResult:
        """The exit code and log of a finished workload; only called when ``runs_functions``."""
        ...

    def model_endpoint(self, workload_id: str) -> ModelEndpoint | None:
        """Where a model replica's workload is called once RUNNING; only called when ``serves_models``."""
        ...


@runtime_checkable
class VmDisksAndNetworks(Protocol):
    """Optional, beside Provisioner: a provisioner whose cluster holds tenants' persistent VM disks and
    VM networks as objects of their own (the Kubernetes one: PVCs and NetworkPolicies). They hold no
    GPU and outlive the VMs they are attached to, so they are not workloads. The local simulator has
    nothing to make for them and does not implement it (workers/vm_disk_network_sync.py runs only for
    a provisioner that does)."""

    async def sync_vm_disks_and_networks(
            self, disks: Sequence[VmDisk], networks: Sequence[tuple[VmNetwork, Sequence[FirewallRule]]],
            tenants: Collection[str] | None = None) -> set[str]:
        """Make the cluster hold exactly these live disks and networks (with their firewall rules):
        apply what is missing or changed, delete what is no longer wanted; of every tenant, or, given
        ``tenants``, of those tenants only (the rows are exactly theirs; no other tenant's objects are
        read or touched). Level-triggered and idempotent; answers the tenants whose objects are not
        yet as wanted (a change the cluster refused, an object still being deleted), to sync again later."""
        ...


@runtime_checkable
class VmHalting(Protocol):
    """Optional, beside Provisioner: a provisioner that can stop a VM's compute and keep its storage, as a
    cloud's stop does (the Kubernetes one: the KubeVirt VirtualMachine gets ``runStrategy: Halted``, so its
    VMI and launcher pod go and the GPU is free, while the VirtualMachine, its root DataVolume and its disk
    claim stay). The VM reconciler halts a stopping VM with it, keeps a stopped VM's workload, and starts it
    again with ``ensure_running`` (the same objects: the same root disk); a deleted VM's workload is removed
    with ``ensure_stopped``. The local simulator does not implement it: its stop releases the workload."""

    async def halt(self, workload_id: str) -> Observation:
        """Stop the workload's compute, keep its storage. Level-triggered and idempotent: ABSENT once no
        compute of it remains (nothing holds a GPU or runs the guest; its stored objects are kept),
        TERMINATING while it is going, with a reason. A workload that is not a VM is stopped entirely."""
        ...
