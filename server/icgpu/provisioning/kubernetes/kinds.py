"""The contract between the Kubernetes provisioner and the objects each kind of workload becomes.

The provisioner (``provisioner.py``) is kind-agnostic: for a ``WorkloadSpec`` it asks the spec's
``KindRenderer`` for the objects to server-side apply in the tenant's namespace, and for the phase
of the workload from the object that carries its status (a Pod for an instance, a KubeVirt
``VirtualMachine`` for a VM, a KubeAI ``Model`` for a model replica, a Job for a function run ...).
Every object carries ``labels`` (the workload id, kind and tenant; see ``naming.py``), so the
provisioner lists, watches and deletes a workload's objects by label.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from icgpu.provisioning.base import Observation, WorkloadKind, WorkloadSpec

Manifest = dict[str, Any]


@dataclass(frozen=True)
class ObjectType:
    """Where objects of one type live in the API: ``("", "v1", "pods")``, ``("kubevirt.io", "v1",
    "virtualmachines")``."""

    group: str
    version: str
    plural: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class RenderContext:
    namespace: str  # the tenant's namespace
    name: str  # the workload's object name (DNS-1123, from naming.object_name)
    labels: dict[str, str]  # put on every object (and on pod templates)
    gpu_resource: str  # the extended resource of the spec's tier: nvidia.com/gpu, nvidia.com/mig-..., ...
    priority_class: str  # icgpu-interactive or icgpu-batch


class KindRenderer(Protocol):
    kind: WorkloadKind
    status_type: ObjectType  # the type of the object whose status gives the workload's phase

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        """Every object of the workload, in apply order (the status object among them)."""
        ...

    def observe(self, status_object: Manifest | None, ctx: RenderContext) -> Observation:
        """The workload's phase from its status object (None: absent)."""
        ...
