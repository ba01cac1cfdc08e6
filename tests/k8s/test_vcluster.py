"""Virtual clusters as vCluster's objects: with vCluster's CRD installed (scripts/k8s/crds/optional/, installed
by this module for its own tests and removed at its end, so the other modules' servers still make clusters
the namespace way), a cluster is a VCluster in its namespace. The rendered VCluster passes the API
server's validation against the CRD; the test plays vCluster's controller (its status, its control-plane
endpoint, the ``<name>-kubeconfig`` Secret, its finalizer) and the cluster follows: starting, running at
the endpoint, failed; the kubeconfig served is the one in the Secret, with a client certificate (vCluster's
own kind: signed here by the host control plane's CA, so kube-apiserver really accepts it) or a token, and
it works with kubectl; deletion removes the VCluster and its kubeconfig Secret first, the namespace after.

Module helpers used by test_vcluster_capi.py too: ``installed_crds`` (optional CRDs for one module),
``Controller`` (what vCluster's controller writes), ``client_certificate`` and ``vcluster_kubeconfig``."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kubernetes_asyncio import client

from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import (
    BearerToken,
    ClientCertificate,
    ClusterCredential,
    ClusterObservation,
    ClusterSpec,
)
from icgpu.provisioning.kubernetes.cluster_namespace import SECRET, labels_of
from icgpu.provisioning.kubernetes.clusters import KubernetesClusterProvisioner, namespace_of
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.resources import NAMESPACE, object_path
from icgpu.provisioning.kubernetes.vcluster import (
    KUBERNETES_VERSION,
    VCLUSTER,
    VCLUSTER_CRD,
    kubeconfig_secret,
    vcluster_manifest,
)
from tests.k8s.control_plane import ROOT, ControlPlane, wait_for
from tests.k8s.test_clusters import CLUSTERS, admin_config, kubectl, provisioner, run, server, tenant, wait_status
from tests.k8s.test_dry_run import Api, assert_kept, refused
from tests.server.test_clusters import KUBECONFIG
from tests.server.test_clusters_kubeconfig_forms import check_against_document
from tests.support.graphql import event_types, gql_data
from tests.support.server import Server
from tests.support.server import wait_for as wait_until
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

__all__ = ["kubectl", "provisioner", "server", "tenant"]  # fixtures of test_clusters.py, used here too

OPTIONAL_CRDS = ROOT / "scripts/k8s/crds/optional"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
CONTROLLER = "cluster-api-provider-vcluster"  # the field manager the test writes as, playing the controller
FINALIZER = "vcluster.loft.sh/cleanup"  # the provider's own
CAPI_SECRET_TYPE = "cluster.x-k8s.io/secret"


class Controller(Api):
    """What vCluster's controller writes: the endpoint into the spec, the status, the kubeconfig Secret."""

    async def endpoint(self, namespace: str, name: str, host: str, port: int) -> Manifest:
        return await self._call("PATCH", object_path(VCLUSTER, namespace, name), query={"fieldManager": CONTROLLER},
                                body={"spec": {"controlPlaneEndpoint": {"host": host, "port": port}}},
                                content_type="application/merge-patch+json")

    async def finalizers(self, namespace: str, name: str, finalizers: list[str]) -> Manifest:
        return await self._call("PATCH", object_path(VCLUSTER, namespace, name), query={"fieldManager": CONTROLLER},
                                body={"metadata": {"finalizers": finalizers}},
                                content_type="application/merge-patch+json")

    async def kubeconfig(self, namespace: str, name: str, kubeconfig: str) -> Manifest:
        """Write (or write anew) the ``<name>-kubeconfig`` Secret."""
        await self.delete(SECRET, namespace, kubeconfig_secret(name))
        secret = {"apiVersion": "v1", "kind": "Secret", "type": CAPI_SECRET_TYPE,
                  "metadata": {"name": kubeconfig_secret(name), "namespace": namespace,
                               "labels": {"cluster.x-k8s.io/cluster-name": name}},
                  "data": {"value": base64.b64encode(kubeconfig.encode()).decode()}}
        return await self._call("POST", f"/api/v1/namespaces/{namespace}/secrets", body=secret)


@asynccontextmanager
async def installed_crds(kube: client.ApiClient, *names: str) -> AsyncIterator[None]:
    """Optional CRDs (scripts/k8s/crds/optional/<name>.yaml) for one module's tests: Established before the
    first, and gone (with every object of theirs) after the last, so a server started by a later module
    makes clusters the namespace way."""
    api = Api(kube)

    async def established(name: str) -> bool | None:
        crd = await api._call("GET", f"{CRDS}/{name}")
        conditions = {c["type"]: c["status"] for c in (crd.get("status") or {}).get("conditions") or []}
        return True if conditions.get("Established") == "True" else None

    async def removed(name: str) -> bool | None:
        try:
            await api._call("GET", f"{CRDS}/{name}")
        except client.ApiException as err:
            if err.status == 404:
                return True
            raise
        return None

    for name in names:
        await api._call("POST", CRDS, body=yaml.safe_load((OPTIONAL_CRDS / f"{name}.yaml").read_text()))
    try:
        for name in names:
            await wait_for(f"CRD {name} to be Established", partial(established, name), within=30)
        yield
    finally:
        for name in names:
            await api._call("DELETE", f"{CRDS}/{name}")
        for name in names:
            await wait_for(f"CRD {name} to be removed", partial(removed, name), within=60)


@pytest.fixture(scope="module", autouse=True)
async def vcluster_crd(kube: client.ApiClient) -> AsyncIterator[None]:
    """vCluster's CRD (and not Cluster API's) for this module's tests only."""
    async with installed_crds(kube, VCLUSTER_CRD):
        yield


@pytest.fixture
def controller(kube: client.ApiClient) -> Controller:
    return Controller(kube)


def vcluster_kubeconfig(control_plane: ControlPlane, user: Manifest, namespace: str | None = None) -> str:
    """A kubeconfig for the host control plane (what the test's vCluster serves) whose user is ``user``
    (a token, or certificate and key data or files); with no namespace, as vCluster writes it, by default."""
    host = admin_config(control_plane)["clusters"][0]["cluster"]
    context: Manifest = {"cluster": "vcluster", "user": "vcluster-admin"}
    if namespace is not None:
        context["namespace"] = namespace
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "vcluster",
        "clusters": [{"name": "vcluster", "cluster": {
            "server": host["server"], "certificate-authority-data": host["certificate-authority-data"]}}],
        "users": [{"name": "vcluster-admin", "user": user}],
        "contexts": [{"name": "vcluster", "context": context}]})


def token_kubeconfig(control_plane: ControlPlane, token: str, namespace: str) -> str:
    return vcluster_kubeconfig(control_plane, {"token": token}, namespace)


def b64(pem: str) -> str:
    return base64.b64encode(pem.encode()).decode()


def certificate_user(certificate: ClientCertificate) -> Manifest:
    return {"client-certificate-data": b64(certificate.certificate_pem), "client-key-data": b64(certificate.key_pem)}


def client_certificate(control_plane: ControlPlane, user: str, group: str) -> ClientCertificate:
    """A client certificate (CN=user, O=group) signed by the host control plane's CA (k8s-up.sh's
    ``pki/ca.{crt,key}``): kube-apiserver authenticates it as that user in that group, as vCluster's API
    server does the certificate in its kubeconfig."""
    pki = control_plane.state / "pki"
    ca = x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes())
    ca_key = serialization.load_pem_private_key((pki / "ca.key").read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, group),
                                     x509.NameAttribute(NameOID.COMMON_NAME, user)]))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(hours=2))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return ClientCertificate(
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()).decode())


async def bind_user(api: Api, namespace: str, user: str) -> None:
    """Make ``user`` admin of ``namespace`` (and of nothing else)."""
    await api.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                     "metadata": {"name": "vcluster-test-user", "namespace": namespace},
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
                     "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}]},
                    namespace=namespace)


async def service_account_token(api: Api, namespace: str) -> str:
    """A ServiceAccount of the test's, admin of ``namespace`` only, and its token (from the token controller)."""
    name = "vcluster-test-admin"
    for manifest in (
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": name, "namespace": namespace},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
         "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
         "metadata": {"name": name, "namespace": namespace,
                      "annotations": {"kubernetes.io/service-account.name": name}}},
    ):
        await api.apply(manifest, namespace=namespace)

    async def issued() -> str | None:
        secret = await api.get(SECRET, namespace, name)
        encoded = ((secret or {}).get("data") or {}).get("token")
        return base64.b64decode(encoded).decode() if encoded else None

    return await wait_for("the test ServiceAccount's token", issued, within=30)


# -- the rendered VCluster against the CRD --------------------------------------------------------------


async def test_the_rendered_vcluster_passes_server_side_dry_run_and_the_schema_refuses_bad_ones(
        controller: Controller, namespace: str) -> None:
    manifest = vcluster_manifest(ClusterSpec("cls-k8svcdry001", "1.31", "", None, None))
    assert manifest["metadata"]["labels"] == labels_of("cls-k8svcdry001")
    assert manifest["metadata"]["annotations"] == {KUBERNETES_VERSION: "1.31"}
    manifest["metadata"]["namespace"] = namespace  # the test's namespace stands in for the cluster's
    stored = await controller.apply_strict(manifest, dry_run=True)
    assert_kept(manifest, stored, "VCluster")
    assert await controller.get(VCLUSTER, namespace, "cls-k8svcdry001") is None  # a dry run stores nothing

    no_port = {**manifest, "spec": {**manifest["spec"], "controlPlaneEndpoint": {"host": "vc.example.com"}}}
    assert "spec.controlPlaneEndpoint.port" in await refused(controller.create(no_port))
    await controller.apply_strict(manifest, dry_run=False)
    message = await refused(controller.patch_status(VCLUSTER, namespace, "cls-k8svcdry001", {"phase": "Broken"}))
    assert "status.phase" in message, message


# -- in process: the phases from what vCluster's controller writes ---------------------------------------


async def test_a_vcluster_follows_its_controller_and_its_deletion_waits_for_the_controller_finalizer(
        provisioner: KubernetesClusterProvisioner, controller: Controller, control_plane: ControlPlane,
        caplog: pytest.LogCaptureFixture) -> None:
    assert provisioner.uses_vcluster
    spec = ClusterSpec("cls-k8svcprobe1", "1.31", "", None, None)
    cluster_id, ns = spec.cluster_id, namespace_of(spec.cluster_id)
    assert (await provisioner.observe_clusters([cluster_id]))[cluster_id].phase is Phase.ABSENT

    assert await provisioner.ensure_cluster(spec) == ClusterObservation(
        Phase.STARTING, reason="waiting for vCluster's controller")
    stored = await controller.get(VCLUSTER, ns, cluster_id)
    assert stored is not None and stored["metadata"]["labels"] == labels_of(cluster_id)
    assert stored["spec"]["helmRelease"]["chart"] == {"name": "vcluster", "repo": "https://charts.loft.sh"}
    assert cluster_id in await provisioner.clusters()
    # Only vCluster's objects: none of the namespace way's.
    assert await controller.get(SECRET, ns, "icgpu-cluster-admin-token") is None

    await controller.patch_status(VCLUSTER, ns, cluster_id, {"ready": False, "phase": "Pending", "conditions": [
        {"type": "Ready", "status": "False", "severity": "Warning", "reason": "CheckFailed", "message": "1 of 2"},
        {"type": "KubeconfigReady", "status": "False", "severity": "Warning", "reason": "CheckFailed",
         "message": "secrets \"vc-cls-k8svcprobe1\" not found"}]})
    starting = (await provisioner.observe_clusters([cluster_id]))[cluster_id]
    assert starting == ClusterObservation(Phase.STARTING,
                                          reason="KubeconfigReady: secrets \"vc-cls-k8svcprobe1\" not found")

    await controller.endpoint(ns, cluster_id, "vc.example.com", 8443)
    await controller.patch_status(VCLUSTER, ns, cluster_id, {"ready": True, "initialized": True, "phase": "Deployed",
                                                             "conditions": [{"type": "Ready", "status": "True"}]})
    running = ClusterObservation(Phase.RUNNING, server_url="https://vc.example.com:8443")
    assert (await provisioner.observe_clusters([cluster_id]))[cluster_id] == running
    assert await provisioner.ensure_cluster(spec) == running  # applying again keeps the controller's endpoint

    # The credential is the kubeconfig in <name>-kubeconfig: none yet; then one whose certificate and key
    # are files (meaningless off the controller's machine) and one whose key is another certificate's: not
    # served, and the log says why without the key; then a client certificate (vCluster's own kind) and a
    # token are served as they are.
    assert await provisioner.credential(cluster_id) is None
    host = admin_config(control_plane)["clusters"][0]["cluster"]
    host_ca = base64.b64decode(host["certificate-authority-data"]).decode()
    certificate = client_certificate(control_plane, "icgpu-vcluster-probe", "icgpu-vcluster-test")
    other = client_certificate(control_plane, "icgpu-vcluster-other", "icgpu-vcluster-test")
    files = {"client-certificate": "/var/vcluster/client.crt", "client-key": "/var/vcluster/client.key"}
    mismatched = {**certificate_user(certificate), "client-key-data": b64(other.key_pem)}
    for user, why in ((files, "its user has neither a bearer token nor client certificate and key data "
                              "(it has client-certificate, client-key)"),
                      (mismatched, "the client key does not belong to the client certificate")):
        await controller.kubeconfig(ns, cluster_id, vcluster_kubeconfig(control_plane, user))
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert await provisioner.credential(cluster_id) is None
        assert why in caplog.text
    assert "/var/vcluster/client.key" not in caplog.text and b64(other.key_pem) not in caplog.text
    await controller.kubeconfig(ns, cluster_id, vcluster_kubeconfig(control_plane, certificate_user(certificate)))
    served = await provisioner.credential(cluster_id)
    assert served == ClusterCredential(host["server"], host_ca, certificate, "default")
    assert certificate.key_pem.splitlines()[1] not in repr(served)
    await controller.kubeconfig(ns, cluster_id, token_kubeconfig(control_plane, "t0ken", ns))
    assert await provisioner.credential(cluster_id) == ClusterCredential(host["server"], host_ca,
                                                                         BearerToken("t0ken"), ns)

    await controller.patch_status(VCLUSTER, ns, cluster_id, {"ready": False, "phase": "Failed",
                                                             "reason": "HelmDeployFailed",
                                                             "message": "error installing / upgrading vcluster"})
    failed = (await provisioner.observe_clusters([cluster_id]))[cluster_id]
    assert failed.phase is Phase.FAILED and failed.reason == "vCluster failed: error installing / upgrading vcluster"

    # Deleted behind the platform's back: absent, and applied anew.
    await controller.delete(VCLUSTER, ns, cluster_id)
    lost = (await provisioner.observe_clusters([cluster_id]))[cluster_id]
    assert lost == ClusterObservation(Phase.ABSENT, reason="deleted from its namespace: VCluster")
    assert (await provisioner.ensure_cluster(spec)).phase is Phase.STARTING

    # The controller's finalizer holds the VCluster: the kubeconfig Secret goes at once, the namespace waits.
    await controller.finalizers(ns, cluster_id, [FINALIZER])
    assert await provisioner.ensure_cluster_gone(cluster_id) == ClusterObservation(
        Phase.TERMINATING, reason="waiting for vCluster's controller to remove it")
    assert await controller.get(SECRET, ns, kubeconfig_secret(cluster_id)) is None
    assert await provisioner.credential(cluster_id) is None
    assert (await provisioner.observe_clusters([cluster_id]))[cluster_id].phase is Phase.TERMINATING
    assert (await provisioner.ensure_cluster_gone(cluster_id)).reason == \
        "waiting for vCluster's controller to remove it"
    namespace = await controller.get(NAMESPACE, None, ns)
    assert namespace is not None and "deletionTimestamp" not in namespace["metadata"]
    await controller.finalizers(ns, cluster_id, [])  # the controller uninstalled the chart

    async def gone() -> bool | None:
        return True if (await provisioner.ensure_cluster_gone(cluster_id)).phase is Phase.ABSENT else None

    await wait_for("the namespace to be gone", gone, within=120)
    assert cluster_id not in await provisioner.clusters()


# -- a real server -----------------------------------------------------------------------------------


async def create_cluster(tenant: Tenant, controller: Controller) -> tuple[str, str]:
    """A cluster created over REST: its VCluster (annotated with the version) is there and it provisions,
    with no kubeconfig yet. Its id and namespace."""
    r = tenant.api.post(CLUSTERS, json={"name": "dev", "version": "1.30"})
    assert r.status_code == 201, r.text
    cluster_id = r.json()["id"]
    ns = namespace_of(cluster_id)
    vcluster = await wait_for("the cluster's VCluster", lambda: controller.get(VCLUSTER, ns, cluster_id), within=60)
    assert vcluster["metadata"]["annotations"][KUBERNETES_VERSION] == "1.30"
    wait_status(tenant.api, cluster_id, "provisioning", timeout=30)
    assert tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig").status_code == 409  # no address yet
    return cluster_id, ns


async def play_ready(tenant: Tenant, controller: Controller, control_plane: ControlPlane, cluster_id: str,
                     kubeconfig: str) -> None:
    """Play vCluster's controller once the chart runs: the kubeconfig Secret, the endpoint (the host
    control plane stands in for the virtual one) and ready; the cluster runs at the endpoint."""
    ns = namespace_of(cluster_id)
    host_url = urlsplit(admin_config(control_plane)["clusters"][0]["cluster"]["server"])
    assert host_url.hostname is not None and host_url.port is not None
    await controller.kubeconfig(ns, cluster_id, kubeconfig)
    await controller.endpoint(ns, cluster_id, host_url.hostname, host_url.port)
    await controller.patch_status(VCLUSTER, ns, cluster_id, {"ready": True, "initialized": True, "phase": "Deployed",
                                                             "conditions": [{"type": "Ready", "status": "True"}]})
    running = wait_status(tenant.api, cluster_id, "running", timeout=30)
    assert running["server_url"] == f"https://{host_url.hostname}:{host_url.port}"


def download(tenant: Tenant, cluster_id: str, written: str, path: Path) -> Manifest:
    """The downloaded kubeconfig (saved at ``path``): the written one's server and CA."""
    r = tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/yaml")
    downloaded, served = yaml.safe_load(r.text), yaml.safe_load(written)
    assert downloaded["clusters"][0]["cluster"] == served["clusters"][0]["cluster"]
    path.write_text(r.text)
    return dict(downloaded)


async def delete_cluster(server: Server, tenant: Tenant, controller: Controller, control_plane: ControlPlane,
                         kubectl: Path, cluster_id: str) -> None:
    """DELETE: the cluster is terminated, its VCluster and namespace gone, its kubeconfig 404, and the events
    say so."""
    assert control_plane.kubeconfig is not None
    ns = namespace_of(cluster_id)
    r = tenant.api.delete(f"{CLUSTERS}/{cluster_id}")
    assert r.status_code == 200, r.text
    wait_status(tenant.api, cluster_id, "terminated", timeout=120)
    assert await controller.get(VCLUSTER, ns, cluster_id) is None
    missing = run(kubectl, control_plane.kubeconfig, "get", "namespace", ns)
    assert missing.returncode != 0 and "NotFound" in missing.stderr, missing.stderr
    assert tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig").status_code == 404
    assert event_types(server, cluster_id) == ["cluster.created", "cluster.provisioning", "cluster.running",
                                               "cluster.deleting", "cluster.terminated"]


async def test_a_vclusters_client_certificate_kubeconfig_is_served_and_works_with_kubectl_until_deletion(
        server: Server, tenant: Tenant, control_plane: ControlPlane, controller: Controller, kubectl: Path,
        tmp_path: Path) -> None:
    assert "clusters are VClusters" in server.log() and "Cluster API's CRD" in server.log()
    assert "VClusters have no Cluster" in server.log()
    cluster_id, ns = await create_cluster(tenant, controller)
    # The reconciler shows the provisioner's reason (the VCluster has no status yet), not a generic one.
    assert tenant.api.get(f"{CLUSTERS}/{cluster_id}").json()["status_reason"] == "waiting for vCluster's controller"

    # vCluster's kubeconfig: a client certificate its API server accepts (here the host's, signed by its CA),
    # for a user admin of the namespace only; no namespace in the context, as vCluster writes it.
    user = f"vcluster-{cluster_id}"
    certificate = client_certificate(control_plane, user, "icgpu-vcluster-test")
    await bind_user(controller, ns, user)
    written = vcluster_kubeconfig(control_plane, certificate_user(certificate))
    await play_ready(tenant, controller, control_plane, cluster_id, written)

    path = tmp_path / "kubeconfig"
    downloaded = download(tenant, cluster_id, written, path)
    assert downloaded["users"][0]["user"] == certificate_user(certificate)
    assert downloaded["contexts"][0]["context"]["namespace"] == "default"
    as_json = tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig", headers={"Accept": "application/json"})
    parts = as_json.json()
    assert as_json.status_code == 200 and parts["token"] is None, as_json.text
    assert parts["client_certificate_data"] == b64(certificate.certificate_pem)
    assert parts["client_key_data"] == b64(certificate.key_pem)
    assert yaml.safe_load(parts["kubeconfig"]) == downloaded
    check_against_document(parts, parts["kubeconfig"])
    # GraphQL's Kubeconfig: the same pair, a null token.
    kube = gql_data(tenant.api, KUBECONFIG, {"id": cluster_id})["clusterKubeconfig"]
    assert kube["token"] is None and kube["kubeconfig"] == parts["kubeconfig"]
    assert (kube["clientCertificateData"], kube["clientKeyData"]) == (parts["client_certificate_data"],
                                                                      parts["client_key_data"])
    listed = run(kubectl, path, "get", "pods", "-n", ns)
    assert listed.returncode == 0, listed.stderr
    whoami = json.loads(run(kubectl, path, "auth", "whoami", "-o", "json").stdout)["status"]["userInfo"]
    assert whoami["username"] == user and "icgpu-vcluster-test" in whoami["groups"], whoami
    outside = run(kubectl, path, "get", "pods", "-n", "default")
    assert outside.returncode != 0 and "Forbidden" in outside.stderr, outside.stderr
    key_line = certificate.key_pem.splitlines()[1]
    assert key_line not in server.log() and b64(certificate.key_pem) not in server.log()

    await delete_cluster(server, tenant, controller, control_plane, kubectl, cluster_id)
    # The certificate is still the host's, but nothing in the cluster's namespace lets it in any more.
    wait_until(lambda: run(kubectl, path, "get", "pods", "-n", ns).returncode != 0, timeout=30, interval=1,
               what="the deleted cluster's kubeconfig to stop working")
