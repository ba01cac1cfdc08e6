"""A virtual cluster's credentials and its kubeconfig.

* **CA**: each cluster gets its own self-signed CA (ECDSA P-256, ten years) at creation. The
  certificate is public (it is the kubeconfig's ``certificate-authority-data``); the key is stored
  encrypted with a key derived from the server's secret and the cluster id, for the control plane
  that will sign the API server's certificate with it (the Kubernetes provisioner, issue 12).
* **Bearer token**: derived, never stored: HMAC-SHA256 of the server's secret over the cluster id
  and a random per-cluster salt. The database keeps the salt and the token's SHA-256 (what an API
  server checks); deleting a cluster clears both, so the token is revoked for good.
* **kubeconfig**: YAML with one cluster, one user and one context (the current one). Every value
  is written as a double-quoted scalar (JSON string syntax, which YAML reads the same way). The
  user authenticates with a bearer token (``token``) or with a client certificate and its key
  (``client-certificate-data``, ``client-key-data``, base64 PEM, as kubectl reads them).
* **With the Kubernetes provisioner** the host cluster issues the credential instead: the
  kubeconfig carries the host API server's URL and CA, a ServiceAccount's token and the cluster's
  namespace (the namespace way), or the server, CA, client certificate and key of the kubeconfig
  vCluster's controller wrote (vCluster's way), read from the host on each download and never
  stored (provisioning/kubernetes/clusters.py, vcluster.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from icgpu.provisioning.clusters import BearerToken, UserCredential

TOKEN_PREFIX = "icgpu-kc-"
CA_YEARS = 10
NAMESPACE = "default"


@dataclass(frozen=True)
class ClusterCa:
    cert_pem: str
    key_pem: str  # encrypted PKCS#8


def _derive(secret: bytes, purpose: str, *parts: str) -> bytes:
    return hmac.new(secret, "\0".join((purpose, *parts)).encode(), hashlib.sha256).digest()


def make_ca(secret: bytes, cluster_id: str, name: str) -> ClusterCa:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "IC GPU"),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{name} ({cluster_id}) cluster CA")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    password = base64.urlsafe_b64encode(_derive(secret, "cluster-ca-key", cluster_id))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(password))
    return ClusterCa(cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode())


def load_ca_key(secret: bytes, cluster_id: str, key_pem: str) -> ec.EllipticCurvePrivateKey:
    """The CA's private key, for a control plane that signs with it."""
    password = base64.urlsafe_b64encode(_derive(secret, "cluster-ca-key", cluster_id))
    key = serialization.load_pem_private_key(key_pem.encode(), password)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def new_token_salt() -> str:
    return secrets.token_hex(32)


def token_for(secret: bytes, cluster_id: str, salt: str) -> str:
    digest = _derive(secret, "cluster-token", cluster_id, salt)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(pem: str) -> str:
    return base64.b64encode(pem.encode()).decode()


@dataclass(frozen=True)
class Kubeconfig:
    cluster_id: str
    context: str
    server_url: str
    ca_cert_pem: str
    credential: UserCredential  # a bearer token, or a client certificate and its key
    namespace: str = NAMESPACE

    @property
    def user(self) -> str:
        return f"{self.context}-admin"

    def _user_lines(self) -> tuple[str, ...]:
        q = json.dumps
        if isinstance(self.credential, BearerToken):
            return (f"    token: {q(self.credential.token)}",)
        return (f"    client-certificate-data: {q(_b64(self.credential.certificate_pem))}",
                f"    client-key-data: {q(_b64(self.credential.key_pem))}")

    def yaml(self) -> str:
        q = json.dumps  # a JSON string is a YAML double-quoted scalar
        ca_data = _b64(self.ca_cert_pem)
        return "\n".join((
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            f"- name: {q(self.context)}",
            "  cluster:",
            f"    server: {q(self.server_url)}",
            f"    certificate-authority-data: {q(ca_data)}",
            "users:",
            f"- name: {q(self.user)}",
            "  user:",
            *self._user_lines(),
            "contexts:",
            f"- name: {q(self.context)}",
            "  context:",
            f"    cluster: {q(self.context)}",
            f"    user: {q(self.user)}",
            f"    namespace: {q(self.namespace)}",
            f"current-context: {q(self.context)}",
            "preferences: {}",
            "",
        ))
