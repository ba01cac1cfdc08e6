"""The kubeconfig writer (services/kubeconfig.py) and the credentials it writes (provisioning/clusters.py): a
bearer token is written exactly as before client certificates existed (the text below is what the writer of
commit 28264bb printed for the same input); a client certificate and its key are written as base64 PEM data
that kubernetes_asyncio loads; a certificate and key that do not belong together, or are not PEM, are
refused, and neither a message nor a ``repr`` ever holds the key or the token."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes_asyncio import config as kube_config
from kubernetes_asyncio.client import Configuration

from icgpu.provisioning.clusters import BearerToken, ClientCertificate
from icgpu.services.kubeconfig import Kubeconfig

pytestmark = pytest.mark.db_independent  # no database

CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
# What the token-only writer printed for token_config() (dumped from commit 28264bb's Kubeconfig.yaml()).
TOKEN_YAML = (
    'apiVersion: v1\nkind: Config\nclusters:\n- name: "dev \\"x\\""\n  cluster:\n    server: "https://10.0.0.1:6443"\n'
    '    certificate-authority-data: '
    '"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="\n'
    'users:\n- name: "dev \\"x\\"-admin"\n  user:\n    token: "icgpu-kc-t0ken"\ncontexts:\n- name: "dev \\"x\\""\n'
    '  context:\n    cluster: "dev \\"x\\""\n    user: "dev \\"x\\"-admin"\n    namespace: "icgpu-cluster-cls-abc123"\n'
    'current-context: "dev \\"x\\""\npreferences: {}\n')


def token_config() -> Kubeconfig:
    return Kubeconfig(cluster_id="cls-abc123", context='dev "x"', server_url="https://10.0.0.1:6443",
                      ca_cert_pem=CA_PEM, credential=BearerToken("icgpu-kc-t0ken"),
                      namespace="icgpu-cluster-cls-abc123")


def pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def self_signed(cn: str) -> tuple[str, str, ec.EllipticCurvePrivateKey]:
    """A CA certificate (PEM), and a client certificate (PEM) and its key signed by it."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)

    def cert(subject: str, public: ec.EllipticCurvePublicKey) -> str:
        built = (x509.CertificateBuilder()
                 .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                 .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")]))
                 .public_key(public).serial_number(x509.random_serial_number())
                 .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(hours=1))
                 .sign(ca_key, hashes.SHA256()))
        return built.public_bytes(serialization.Encoding.PEM).decode()

    return cert("test CA", ca_key.public_key()), cert(cn, key.public_key()), key


def read(path: str) -> str:
    return Path(path).read_text()


def test_a_token_kubeconfig_is_written_byte_for_byte_as_before() -> None:
    config = token_config()
    assert config.yaml() == TOKEN_YAML
    assert "icgpu-kc-t0ken" not in repr(config)


async def test_a_client_certificate_kubeconfig_carries_the_pair_as_data_that_a_client_loads(tmp_path: Path) -> None:
    ca_pem, cert_pem, key = self_signed("vcluster-user")
    credential = ClientCertificate(cert_pem, pem_key(key))
    config = Kubeconfig(cluster_id="cls-abc123", context="dev", server_url="https://vc.example.com:8443",
                        ca_cert_pem=ca_pem, credential=credential)
    text = config.yaml()
    loaded = yaml.safe_load(text)
    user = loaded["users"][0]["user"]
    assert set(user) == {"client-certificate-data", "client-key-data"}
    assert base64.b64decode(user["client-certificate-data"]).decode() == cert_pem
    assert base64.b64decode(user["client-key-data"]).decode() == pem_key(key)
    assert loaded["contexts"][0]["context"]["namespace"] == "default"
    key_line = pem_key(key).splitlines()[1]
    assert key_line not in repr(config) and key_line not in repr(credential)

    path = tmp_path / "kubeconfig"
    path.write_text(text)
    client = Configuration()
    await kube_config.load_kube_config(config_file=str(path), client_configuration=client)
    assert client.host == "https://vc.example.com:8443"
    assert read(client.cert_file) == cert_pem and read(client.key_file) == pem_key(key)
    assert not client.api_key  # no bearer token


def test_a_pair_that_does_not_belong_together_or_is_not_pem_is_refused_without_the_key() -> None:
    _, cert_pem, key = self_signed("a")
    _, other_pem, other_key = self_signed("b")
    refusals = [
        ((cert_pem, pem_key(other_key)), "the client key does not belong to the client certificate"),
        (("not a certificate", pem_key(key)), "the client certificate is not a PEM X.509 certificate"),
        ((cert_pem, "not a key"), "the client key is not an unencrypted PEM private key"),
        ((cert_pem, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(b"pw")).decode()),
         "the client key is not an unencrypted PEM private key"),
    ]
    for (certificate, private), message in refusals:
        with pytest.raises(ValueError) as caught:
            ClientCertificate(certificate, private)
        assert str(caught.value) == message
        lines = private.splitlines()
        assert lines[len(lines) // 2] not in str(caught.value)
    assert ClientCertificate(other_pem, pem_key(other_key)).certificate_pem == other_pem
    with pytest.raises(ValueError, match="a bearer token cannot be empty"):
        BearerToken("")
