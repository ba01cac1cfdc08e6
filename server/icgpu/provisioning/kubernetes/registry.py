"""Which KindRenderer renders each kind of workload (kinds.py says what a renderer does).

Each kind's module adds its renderer here; a kind without one is refused with a clear error rather
than rendered as something else.
"""

from __future__ import annotations

from icgpu.provisioning.base import WorkloadKind
from icgpu.provisioning.kubernetes.instance import InstanceRenderer
from icgpu.provisioning.kubernetes.kinds import KindRenderer

RENDERERS: dict[WorkloadKind, KindRenderer] = {
    WorkloadKind.INSTANCE: InstanceRenderer(),
}


class UnsupportedKind(LookupError):
    """No renderer for a kind: the Kubernetes provisioner cannot run it (yet)."""


def renderer(kind: WorkloadKind | str) -> KindRenderer:
    try:
        return RENDERERS[WorkloadKind(kind)]
    except (KeyError, ValueError):
        known = ", ".join(k.value for k in RENDERERS)
        raise UnsupportedKind(f"the Kubernetes provisioner has no renderer for workload kind {kind!r} "
                              f"(it renders: {known})") from None
