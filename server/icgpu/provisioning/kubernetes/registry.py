"""Which KindRenderer renders each kind of workload (kinds.py says what a renderer does).

Each kind's module adds its renderer here; a kind without one is refused with a clear error rather
than rendered as something else.
"""

from __future__ import annotations

from icgpu.provisioning.base import WorkloadKind
from icgpu.provisioning.kubernetes.function_run import FunctionRunRenderer
from icgpu.provisioning.kubernetes.instance import InstanceRenderer
from icgpu.provisioning.kubernetes.kinds import KindRenderer
from icgpu.provisioning.kubernetes.model_replica import ModelReplicaRenderer
from icgpu.provisioning.kubernetes.slurm import SlurmNodeRenderer
from icgpu.provisioning.kubernetes.vm import VmRenderer

RENDERERS: dict[WorkloadKind, KindRenderer] = {
    WorkloadKind.INSTANCE: InstanceRenderer(),
}
# VMs (KubeVirt VirtualMachine), Slurm nodes (head StatefulSet / worker Pods), function runs (Jobs) and
# model replicas (KubeAI Model): tests/k8s/test_dry_run.py sends each one's objects to the API server.
RENDERERS.update({
    WorkloadKind.VM: VmRenderer(),
    WorkloadKind.SLURM_NODE: SlurmNodeRenderer(),
    WorkloadKind.FUNCTION_RUN: FunctionRunRenderer(),
    WorkloadKind.MODEL_REPLICA: ModelReplicaRenderer(),
})


class UnsupportedKind(LookupError):
    """No renderer for a kind: the Kubernetes provisioner cannot run it (yet)."""


def renderer(kind: WorkloadKind | str) -> KindRenderer:
    try:
        return RENDERERS[WorkloadKind(kind)]
    except (KeyError, ValueError):
        known = ", ".join(k.value for k in RENDERERS)
        raise UnsupportedKind(f"the Kubernetes provisioner has no renderer for workload kind {kind!r} "
                              f"(it renders: {known})") from None
