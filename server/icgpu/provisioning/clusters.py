"""The ClusterProvisioner protocol: what the cluster reconciler needs from whatever runs virtual
Kubernetes control planes (the local simulator today; vCluster on Kubernetes with issue 12).

Like ``Provisioner`` it is level-triggered and idempotent: the reconciler says what it wants on
every pass and records what it observes. A virtual cluster holds no GPU of the shared inventory:
its workloads ask for GPUs through the host cluster's own scheduling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from icgpu.provisioning.base import Phase

CLUSTER_PREFIX = "cls-"


@dataclass(frozen=True)
class ClusterSpec:
    cluster_id: str
    version: str
    ca_cert_pem: str  # the cluster's CA, made by the control plane at creation
    ca_key_pem: str | None  # that CA's key, encrypted (services/clusters.py decrypts it on demand)
    token_hash: str | None  # SHA-256 of the bearer token the API server must accept


@dataclass(frozen=True)
class ClusterObservation:
    phase: Phase  # ABSENT, STARTING, RUNNING, TERMINATING or FAILED
    server_url: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ClusterCredential:
    """What a kubeconfig needs from a control plane that issues its own credential (the Kubernetes
    provisioner's ServiceAccount token), read from it on download and never stored or logged."""

    server_url: str
    ca_cert_pem: str
    token: str
    namespace: str


class ClusterProvisioner(Protocol):
    # Whether the control plane issues each cluster's credential (read with ``credential``); when it
    # does not, the kubeconfig carries the CA and token the control plane made at creation.
    issues_credentials: bool

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def ensure_cluster(self, spec: ClusterSpec) -> ClusterObservation:
        """Create the control plane if absent; report its phase and API server URL."""
        ...

    async def ensure_cluster_gone(self, cluster_id: str) -> ClusterObservation: ...

    async def observe_clusters(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]: ...

    async def clusters(self) -> list[str]:
        """Every control plane it runs, by cluster id."""
        ...

    async def credential(self, cluster_id: str) -> ClusterCredential | None:
        """The credential it issued for the cluster (None: not issued yet, or gone); only called when
        ``issues_credentials``."""
        ...
