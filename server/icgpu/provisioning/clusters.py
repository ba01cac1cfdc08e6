"""The ClusterProvisioner protocol: what the cluster reconciler needs from whatever runs virtual
Kubernetes control planes (the local simulator today; vCluster on Kubernetes with issue 12).

Like ``Provisioner`` it is level-triggered and idempotent: the reconciler says what it wants on
every pass and records what it observes. A virtual cluster holds no GPU of the shared inventory:
its workloads ask for GPUs through the host cluster's own scheduling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization

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
class BearerToken:
    """A user that authenticates with a bearer token (a ServiceAccount's, or the local simulator's)."""

    token: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.token:
            raise ValueError("a bearer token cannot be empty")


@dataclass(frozen=True)
class ClientCertificate:
    """A user that authenticates with a client certificate and its private key (vCluster's own
    kubeconfig), both PEM. The key is checked to belong to the certificate here, so a pair that
    kubectl would refuse is never served; no message and no ``repr`` ever carries the key."""

    certificate_pem: str
    key_pem: str = field(repr=False)

    def __post_init__(self) -> None:
        try:
            certificate = x509.load_pem_x509_certificate(self.certificate_pem.encode())
        except ValueError:
            raise ValueError("the client certificate is not a PEM X.509 certificate") from None
        try:
            key = serialization.load_pem_private_key(self.key_pem.encode(), password=None)
        except (ValueError, TypeError):  # TypeError: an encrypted key
            raise ValueError("the client key is not an unencrypted PEM private key") from None
        public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        if key.public_key().public_bytes(*public) != certificate.public_key().public_bytes(*public):
            raise ValueError("the client key does not belong to the client certificate")


# How a kubeconfig's user authenticates: one of the two, never both.
UserCredential = BearerToken | ClientCertificate


@dataclass(frozen=True)
class ClusterCredential:
    """What a kubeconfig needs from a control plane that issues its own credential (the Kubernetes
    provisioner's ServiceAccount token, or the kubeconfig vCluster's controller writes), read from it
    on download and never stored or logged."""

    server_url: str
    ca_cert_pem: str
    user: UserCredential
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
