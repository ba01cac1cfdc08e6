"""Virtual clusters as vCluster's objects: with vCluster's CRD installed (scripts/k8s/crds/optional/, installed
by this module for its own tests and removed at its end, so the other modules' servers still make clusters
the namespace way), a cluster is a VCluster in its namespace. The rendered VCluster passes the API
server's validation against the CRD; the test plays vCluster's controller (its status, its control-plane
endpoint, the ``<name>-kubeconfig`` Secret, its finalizer) and the cluster follows: starting, running at
the endpoint, failed; the kubeconfig served is the one in the Secret, and it works with kubectl; deletion
removes the VCluster and its kubeconfig Secret first, the namespace after."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from kubernetes_asyncio import client

from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import ClusterCredential, ClusterObservation, ClusterSpec
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
from tests.support.graphql import event_types
from tests.support.server import Server
from tests.support.server import wait_for as wait_until
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

__all__ = ["kubectl", "provisioner", "server", "tenant"]  # fixtures of test_clusters.py, used here too

CRD_FILE = ROOT / "scripts/k8s/crds/optional" / f"{VCLUSTER_CRD}.yaml"
CRD_PATH = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{VCLUSTER_CRD}"
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
        secret = {"apiVersion": "v1", "kind": "Secret", "type": CAPI_SECRET_TYPE,
                  "metadata": {"name": kubeconfig_secret(name), "namespace": namespace,
                               "labels": {"cluster.x-k8s.io/cluster-name": name}},
                  "data": {"value": base64.b64encode(kubeconfig.encode()).decode()}}
        return await self._call("POST", f"/api/v1/namespaces/{namespace}/secrets", body=secret)


@pytest.fixture(scope="module", autouse=True)
async def vcluster_crd(kube: client.ApiClient) -> AsyncIterator[None]:
    """vCluster's CRD for this module's tests only: Established before the first, and gone (with every
    VCluster) after the last, so a server started by a later module makes clusters the namespace way."""
    api = Api(kube)
    await api._call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                    body=yaml.safe_load(CRD_FILE.read_text()))

    async def established() -> bool | None:
        crd = await api._call("GET", CRD_PATH)
        conditions = {c["type"]: c["status"] for c in (crd.get("status") or {}).get("conditions") or []}
        return True if conditions.get("Established") == "True" else None

    await wait_for(f"CRD {VCLUSTER_CRD} to be Established", established, within=30)
    try:
        yield
    finally:
        await api._call("DELETE", CRD_PATH)

        async def removed() -> bool | None:
            try:
                await api._call("GET", CRD_PATH)
            except client.ApiException as err:
                if err.status == 404:
                    return True
                raise
            return None

        await wait_for(f"CRD {VCLUSTER_CRD} to be removed", removed, within=60)


@pytest.fixture
def controller(kube: client.ApiClient) -> Controller:
    return Controller(kube)


def token_kubeconfig(control_plane: ControlPlane, token: str, namespace: str) -> str:
    """A kubeconfig for the host control plane with a bearer token (what the test's vCluster serves)."""
    host = admin_config(control_plane)["clusters"][0]["cluster"]
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "vcluster",
        "clusters": [{"name": "vcluster", "cluster": {
            "server": host["server"], "certificate-authority-data": host["certificate-authority-data"]}}],
        "users": [{"name": "vcluster-admin", "user": {"token": token}}],
        "contexts": [{"name": "vcluster", "context": {"cluster": "vcluster", "user": "vcluster-admin",
                                                      "namespace": namespace}}]})


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

    # The credential is the kubeconfig in <name>-kubeconfig: none yet, then one with a client certificate
    # (vCluster's own kind, which the kubeconfig service cannot carry yet), then one with a token.
    assert await provisioner.credential(cluster_id) is None
    host = admin_config(control_plane)["clusters"][0]["cluster"]
    with_certificate = token_kubeconfig(control_plane, "unused", "default").replace(
        "token: unused", "client-certificate-data: Y2VydA==\n    client-key-data: a2V5")
    await controller.kubeconfig(ns, cluster_id, with_certificate)
    with caplog.at_level(logging.WARNING):
        assert await provisioner.credential(cluster_id) is None
    assert "its user has no bearer token (it has client-certificate-data, client-key-data)" in caplog.text
    assert "a2V5" not in caplog.text
    await controller.delete(SECRET, ns, kubeconfig_secret(cluster_id))
    await controller.kubeconfig(ns, cluster_id, token_kubeconfig(control_plane, "t0ken", ns))
    assert await provisioner.credential(cluster_id) == ClusterCredential(
        host["server"], base64.b64decode(host["certificate-authority-data"]).decode(), "t0ken", ns)

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


async def test_a_cluster_is_a_vcluster_and_its_kubeconfig_is_the_one_vcluster_wrote(
        server: Server, tenant: Tenant, control_plane: ControlPlane, controller: Controller, kubectl: Path,
        tmp_path: Path) -> None:
    assert control_plane.kubeconfig is not None
    assert "clusters are VClusters" in server.log()
    r = tenant.api.post(CLUSTERS, json={"name": "dev", "version": "1.30"})
    assert r.status_code == 201, r.text
    cluster_id = r.json()["id"]
    ns = namespace_of(cluster_id)

    vcluster = await wait_for("the cluster's VCluster", lambda: controller.get(VCLUSTER, ns, cluster_id), within=60)
    assert vcluster["metadata"]["annotations"][KUBERNETES_VERSION] == "1.30"
    wait_status(tenant.api, cluster_id, "provisioning", timeout=30)
    assert tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig").status_code == 409  # no address yet

    # Play vCluster's controller: an endpoint (the host control plane stands in for the virtual one), the
    # kubeconfig Secret (a token of a ServiceAccount the test makes, admin of the namespace) and ready.
    host_url = urlsplit(admin_config(control_plane)["clusters"][0]["cluster"]["server"])
    assert host_url.hostname is not None and host_url.port is not None
    token = await service_account_token(controller, ns)
    written = token_kubeconfig(control_plane, token, ns)
    await controller.kubeconfig(ns, cluster_id, written)
    await controller.endpoint(ns, cluster_id, host_url.hostname, host_url.port)
    await controller.patch_status(VCLUSTER, ns, cluster_id, {"ready": True, "initialized": True, "phase": "Deployed",
                                                             "conditions": [{"type": "Ready", "status": "True"}]})
    running = wait_status(tenant.api, cluster_id, "running", timeout=30)
    assert running["server_url"] == f"https://{host_url.hostname}:{host_url.port}"

    r = tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig")
    assert r.status_code == 200, r.text
    downloaded, served = yaml.safe_load(r.text), yaml.safe_load(written)
    assert downloaded["clusters"][0]["cluster"] == served["clusters"][0]["cluster"]
    assert downloaded["users"][0]["user"] == {"token": token}
    assert downloaded["contexts"][0]["context"]["namespace"] == ns
    path = tmp_path / "kubeconfig"
    path.write_text(r.text)
    listed = run(kubectl, path, "get", "pods")
    assert listed.returncode == 0, listed.stderr
    whoami = run(kubectl, path, "auth", "whoami", "-o", "json")
    assert json.loads(whoami.stdout)["status"]["userInfo"]["username"] == \
        f"system:serviceaccount:{ns}:vcluster-test-admin", whoami.stderr
    assert token not in server.log()

    r = tenant.api.delete(f"{CLUSTERS}/{cluster_id}")
    assert r.status_code == 200, r.text
    wait_status(tenant.api, cluster_id, "terminated", timeout=120)
    assert await controller.get(VCLUSTER, ns, cluster_id) is None
    missing = run(kubectl, control_plane.kubeconfig, "get", "namespace", ns)
    assert missing.returncode != 0 and "NotFound" in missing.stderr, missing.stderr
    assert tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig").status_code == 404
    wait_until(lambda: run(kubectl, path, "get", "pods").returncode != 0, timeout=30, interval=1,
               what="the deleted cluster's kubeconfig to stop working")
    assert event_types(server, cluster_id) == ["cluster.created", "cluster.provisioning", "cluster.running",
                                               "cluster.deleting", "cluster.terminated"]
