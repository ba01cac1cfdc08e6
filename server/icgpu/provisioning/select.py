"""The provisioners ``ICGPU_PROVISIONER`` selects: the local simulator (the embedded default) or the
Kubernetes ones, which share one API client."""

from __future__ import annotations

from icgpu.db.database import Database
from icgpu.provisioning.base import Provisioner
from icgpu.provisioning.clusters import ClusterProvisioner
from icgpu.services.signals import Signals
from icgpu.settings import Settings


def make_provisioners(settings: Settings, db: Database,
                      signals: Signals | None = None) -> tuple[Provisioner, ClusterProvisioner]:
    """``signals``: the Kubernetes provisioner wakes the workers through them when its watch sees a change."""
    if settings.provisioner == "kubernetes":
        from icgpu.provisioning.kubernetes.client import KubeClient
        from icgpu.provisioning.kubernetes.clusters import KubernetesClusterProvisioner
        from icgpu.provisioning.kubernetes.provisioner import KubernetesProvisioner

        kube = KubeClient(settings)
        return KubernetesProvisioner(settings, kube, signals), KubernetesClusterProvisioner(settings, kube)
    from icgpu.provisioning.local.clusters import LocalClusterProvisioner
    from icgpu.provisioning.local.simulator import LocalProvisioner

    return LocalProvisioner(settings, db), LocalClusterProvisioner(settings, db)
