"""vCluster's objects where Cluster API's own ``Cluster`` CRD is installed too (e.g. after ``clusterctl
init``): vCluster's provider then leaves a VCluster alone until a Cluster owns it, so each cluster also gets a
Cluster (``cluster.x-k8s.io/v1beta1``) whose infrastructureRef and controlPlaneRef name its VCluster. This
module installs both optional CRDs (scripts/k8s/crds/optional/) for its own tests and removes them at its
end, so no other module's server sees them. The rendered Cluster passes the API server's validation against
the pinned CRD; the test plays Cluster API's controller (the Cluster as the VCluster's owner) and vCluster's,
and the cluster runs, its kubeconfig works with kubectl, and deletion removes the Cluster with the VCluster."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from kubernetes_asyncio import client

from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import ClusterObservation, ClusterSpec
from icgpu.provisioning.kubernetes.cluster_namespace import SECRET, labels_of
from icgpu.provisioning.kubernetes.clusters import KubernetesClusterProvisioner, namespace_of
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.resources import NAMESPACE, object_path
from icgpu.provisioning.kubernetes.vcluster import (
    CAPI_CLUSTER,
    CAPI_CLUSTER_CRD,
    VCLUSTER,
    VCLUSTER_CRD,
    capi_cluster_manifest,
    kubeconfig_secret,
)
from tests.k8s.control_plane import ControlPlane, wait_for
from tests.k8s.test_clusters import kubectl, provisioner, run, server, tenant
from tests.k8s.test_dry_run import assert_kept, refused
from tests.k8s.test_vcluster import (
    Controller,
    controller,
    create_cluster,
    delete_cluster,
    download,
    installed_crds,
    play_ready,
    service_account_token,
    token_kubeconfig,
)
from tests.support.server import Server
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

__all__ = ["controller", "kubectl", "provisioner", "server", "tenant"]  # fixtures of other modules, used here too

CAPI_CONTROLLER = "capi-controller-manager"  # the field manager the test writes as, playing Cluster API


@pytest.fixture(scope="module", autouse=True)
async def crds(kube: client.ApiClient) -> AsyncIterator[None]:
    """vCluster's CRD and Cluster API's Cluster CRD, for this module's tests only."""
    async with installed_crds(kube, VCLUSTER_CRD, CAPI_CLUSTER_CRD):
        yield


async def own(controller: Controller, namespace: str, name: str) -> Manifest:
    """Play Cluster API's controller: make the Cluster the owner of the VCluster it names as infrastructure."""
    cluster = await controller.get(CAPI_CLUSTER, namespace, name)
    assert cluster is not None
    owner = {"apiVersion": CAPI_CLUSTER.api_version, "kind": CAPI_CLUSTER.kind, "name": name,
             "uid": cluster["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
    return await controller._call("PATCH", object_path(VCLUSTER, namespace, name),
                                  query={"fieldManager": CAPI_CONTROLLER},
                                  body={"metadata": {"ownerReferences": [owner]}},
                                  content_type="application/merge-patch+json")


async def test_the_rendered_cluster_passes_server_side_dry_run_and_the_schema_refuses_a_ref_without_a_name(
        controller: Controller, namespace: str) -> None:
    manifest = capi_cluster_manifest("cls-k8scapidry1")
    assert manifest["metadata"]["labels"] == labels_of("cls-k8scapidry1")
    vcluster_ref = {"apiVersion": VCLUSTER.api_version, "kind": VCLUSTER.kind, "name": "cls-k8scapidry1"}
    assert manifest["spec"] == {"infrastructureRef": vcluster_ref, "controlPlaneRef": vcluster_ref}
    manifest["metadata"]["namespace"] = namespace  # the test's namespace stands in for the cluster's
    stored = await controller.apply_strict(manifest, dry_run=True)
    assert_kept(manifest, stored, "Cluster")
    assert await controller.get(CAPI_CLUSTER, namespace, "cls-k8scapidry1") is None  # a dry run stores nothing

    nameless = {**manifest, "spec": {**manifest["spec"], "infrastructureRef": {
        k: v for k, v in vcluster_ref.items() if k != "name"}}}
    assert "spec.infrastructureRef.name" in await refused(controller.create(nameless))


async def test_each_vcluster_gets_a_cluster_that_owns_it_and_goes_with_it(
        provisioner: KubernetesClusterProvisioner, controller: Controller) -> None:
    assert provisioner.uses_vcluster and provisioner.uses_cluster_api
    spec = ClusterSpec("cls-k8scapiprobe", "1.31", "", None, None)
    cluster_id, ns = spec.cluster_id, namespace_of(spec.cluster_id)

    waiting = ClusterObservation(Phase.STARTING, reason="waiting for Cluster API's controller to make its Cluster "
                                                        "the VCluster's owner")
    assert await provisioner.ensure_cluster(spec) == waiting
    cluster = await controller.get(CAPI_CLUSTER, ns, cluster_id)
    assert cluster is not None and cluster["metadata"]["labels"] == labels_of(cluster_id)
    assert cluster["spec"]["infrastructureRef"]["name"] == cluster["spec"]["controlPlaneRef"]["name"] == cluster_id
    assert (await provisioner.observe_clusters([cluster_id]))[cluster_id] == waiting

    # Cluster API's controller makes the Cluster the VCluster's owner; vCluster's controller may act now.
    await own(controller, ns, cluster_id)
    started = ClusterObservation(Phase.STARTING, reason="waiting for vCluster's controller")
    assert (await provisioner.observe_clusters([cluster_id]))[cluster_id] == started
    assert await provisioner.ensure_cluster(spec) == started  # applying again keeps the owner
    vcluster = await controller.get(VCLUSTER, ns, cluster_id)
    assert vcluster is not None and [r["kind"] for r in vcluster["metadata"]["ownerReferences"]] == ["Cluster"]

    # The Cluster deleted behind the platform's back: absent, and applied anew.
    await controller.delete(CAPI_CLUSTER, ns, cluster_id)
    lost = (await provisioner.observe_clusters([cluster_id]))[cluster_id]
    assert lost == ClusterObservation(Phase.ABSENT, reason="deleted from its namespace: Cluster")

    async def made_anew() -> ClusterObservation | None:
        # The garbage collector may first delete the VCluster its old Cluster owned: then it is made anew too.
        obs = await provisioner.ensure_cluster(spec)
        held = await controller.get(CAPI_CLUSTER, ns, cluster_id)
        return obs if obs.phase is Phase.STARTING and held is not None else None

    await wait_for("the Cluster to be applied anew", made_anew, within=60)

    # Deletion removes the Cluster and the VCluster (and the kubeconfig Secret), then the namespace.
    await provisioner.ensure_cluster_gone(cluster_id)
    assert await controller.get(CAPI_CLUSTER, ns, cluster_id) is None
    assert await controller.get(SECRET, ns, kubeconfig_secret(cluster_id)) is None

    async def gone() -> bool | None:
        return True if (await provisioner.ensure_cluster_gone(cluster_id)).phase is Phase.ABSENT else None

    await wait_for("the namespace to be gone", gone, within=120)
    assert await controller.get(NAMESPACE, None, ns) is None


async def test_with_cluster_api_a_cluster_runs_once_its_cluster_owns_the_vcluster_and_deletion_removes_both(
        server: Server, tenant: Tenant, control_plane: ControlPlane, controller: Controller, kubectl: Path,
        tmp_path: Path) -> None:
    assert "each VCluster gets a Cluster that owns it" in server.log()
    cluster_id, ns = await create_cluster(tenant, controller)
    cluster = await wait_for("the cluster's Cluster", lambda: controller.get(CAPI_CLUSTER, ns, cluster_id), within=30)
    assert cluster["spec"]["infrastructureRef"]["kind"] == "VCluster"

    await own(controller, ns, cluster_id)
    token = await service_account_token(controller, ns)
    written = token_kubeconfig(control_plane, token, ns)
    await play_ready(tenant, controller, control_plane, cluster_id, written)

    path = tmp_path / "kubeconfig"
    downloaded = download(tenant, cluster_id, written, path)
    assert downloaded["users"][0]["user"] == {"token": token}
    listed = run(kubectl, path, "get", "pods")
    assert listed.returncode == 0, listed.stderr
    whoami = run(kubectl, path, "auth", "whoami", "-o", "json")
    assert json.loads(whoami.stdout)["status"]["userInfo"]["username"] == \
        f"system:serviceaccount:{ns}:vcluster-test-admin", whoami.stderr

    await delete_cluster(server, tenant, controller, control_plane, kubectl, cluster_id)
    assert await controller.get(CAPI_CLUSTER, ns, cluster_id) is None
