"""Virtual clusters on Kubernetes: a real server with ICGPU_PROVISIONER=kubernetes makes each cluster a
namespace with a ServiceAccount bound to a namespaced Role; the kubeconfig it serves carries that
ServiceAccount's token, so ``kubectl --kubeconfig <downloaded> get pods`` really works, may create pods
in the cluster's namespace and nothing outside it, and stops working once the cluster is deleted."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from kubernetes_asyncio import client
from sqlalchemy import select

from icgpu.db.tables import Event
from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import ClusterObservation, ClusterSpec
from icgpu.provisioning.kubernetes.clusters import (
    ACCOUNT,
    ROLE,
    ROLE_RULES,
    KubernetesClusterProvisioner,
    namespace_of,
)
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.resources import Resources
from tests.k8s.conftest import KubernetesServers, new_provisioner
from tests.k8s.control_plane import ROOT, ControlPlane, wait_for
from tests.support.graphql import db_scalars, event_types
from tests.support.server import Server
from tests.support.server import wait_for as wait_until
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

CLUSTERS = "/api/v1/clusters"
KUBECTL_TIMEOUT = 60
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hello"},
       "spec": {"containers": [{"name": "main", "image": "registry.invalid/icgpu/workload:test"}],
                "terminationGracePeriodSeconds": 0}}


@pytest.fixture(scope="module")
def kubectl() -> Path:
    """kubectl from the tool cache (scripts/build-k8s.sh builds it with the control plane; a no-op when cached)."""
    done = subprocess.run([str(ROOT / "scripts/build-k8s.sh")], capture_output=True, text=True, timeout=60 * 60,
                          check=True)
    path = Path(done.stdout.strip().splitlines()[-1]) / "kubectl"
    assert path.is_file(), done.stderr[-2000:]
    return path


@pytest.fixture
def server(k8s_servers: KubernetesServers) -> Server:
    return k8s_servers()


@pytest.fixture
async def tenant(k8s_servers: KubernetesServers, server: Server) -> Tenant:
    """A tenant of the server (``k8s_servers`` closes it and deletes its namespace at the end)."""
    return await k8s_servers.tenant(server, "k8sclusters")


def run(kubectl: Path, kubeconfig: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(kubectl), "--kubeconfig", str(kubeconfig), *args], input=stdin, capture_output=True,
                          text=True, timeout=KUBECTL_TIMEOUT, check=False)


def status_of(api: httpx.Client, cluster_id: str) -> dict[str, Any]:
    r = api.get(f"{CLUSTERS}/{cluster_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def wait_status(api: httpx.Client, cluster_id: str, status: str, timeout: float) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        c = status_of(api, cluster_id)
        assert c["status"] != "error", c
        return c if c["status"] == status else None

    return dict(wait_until(reached, timeout=timeout, interval=0.1, what=f"cluster {cluster_id} to be {status}"))


def admin_config(control_plane: ControlPlane) -> dict[str, Any]:
    assert control_plane.kubeconfig is not None
    return dict(yaml.safe_load(control_plane.kubeconfig.read_text()))


def test_the_downloaded_kubeconfig_works_in_the_cluster_namespace_only_until_the_cluster_is_deleted(
        server: Server, tenant: Tenant, control_plane: ControlPlane, kubectl: Path, tmp_path: Path) -> None:
    assert control_plane.kubeconfig is not None
    admin = control_plane.kubeconfig
    host = admin_config(control_plane)["clusters"][0]["cluster"]
    # A namespace of a cluster the server does not know (left by an earlier run) is removed by its reconciler.
    orphan = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "icgpu-cluster-cls-orphan", "labels": {
        "app.kubernetes.io/managed-by": "icgpu", "icgpu.dev/cluster": "cls-orphan"}}}
    assert run(kubectl, admin, "apply", "-f", "-", stdin=json.dumps(orphan)).returncode == 0
    wait_until(lambda: run(kubectl, admin, "get", "namespace", "icgpu-cluster-cls-orphan").returncode != 0,
               timeout=120, interval=0.5, what="the orphaned cluster namespace to be removed")

    r = tenant.api.post(CLUSTERS, json={"name": "dev", "version": "1.31"})
    assert r.status_code == 201, r.text
    cluster_id = r.json()["id"]
    namespace = namespace_of(cluster_id)
    running = wait_status(tenant.api, cluster_id, "running", timeout=60)
    assert running["server_url"] == host["server"]

    # The host's objects: a labelled namespace with the ServiceAccount, its Role and RoleBinding.
    ns = json.loads(run(kubectl, admin, "get", "namespace", namespace, "-o", "json").stdout)
    assert ns["metadata"]["labels"].items() >= {("app.kubernetes.io/managed-by", "icgpu"),
                                                ("icgpu.dev/cluster", cluster_id)}
    objects = run(kubectl, admin, "-n", namespace, "get", "serviceaccount,role,rolebinding,secret", "-o", "name")
    assert set(objects.stdout.split()) >= {"serviceaccount/icgpu-cluster-admin", "role.rbac.authorization.k8s.io/"
                                           "icgpu-cluster-admin", "rolebinding.rbac.authorization.k8s.io/"
                                           "icgpu-cluster-admin", "secret/icgpu-cluster-admin-token"}, objects

    r = tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig")
    assert r.status_code == 200, r.text
    downloaded = tmp_path / "kubeconfig"
    downloaded.write_text(r.text)
    config = yaml.safe_load(r.text)
    assert config["clusters"][0]["cluster"]["server"] == host["server"]
    assert config["clusters"][0]["cluster"]["certificate-authority-data"] == host["certificate-authority-data"]
    assert config["contexts"][0]["context"]["namespace"] == namespace
    token = config["users"][0]["user"]["token"]
    secret = json.loads(run(kubectl, admin, "-n", namespace, "get", "secret", "icgpu-cluster-admin-token",
                            "-o", "json").stdout)
    assert base64.b64decode(secret["data"]["token"]).decode() == token  # the ServiceAccount's own token

    listed = run(kubectl, downloaded, "get", "pods")
    assert listed.returncode == 0, listed.stderr
    created = run(kubectl, downloaded, "create", "-f", "-", stdin=json.dumps(POD))
    assert created.returncode == 0, created.stderr
    assert "hello" in run(kubectl, downloaded, "get", "pods", "-o", "name").stdout
    # Its user may delete the cluster's own RoleBinding (the Role allows it): the server applies it anew.
    assert run(kubectl, downloaded, "delete", "rolebinding", "icgpu-cluster-admin").returncode == 0
    wait_until(lambda: event_types(server, cluster_id).count("cluster.running") == 2, timeout=60,
               what="the cluster to be provisioned again")
    wait_until(lambda: run(kubectl, downloaded, "get", "pods").returncode == 0, timeout=30, interval=0.5,
               what="the same token to list pods again")
    whoami = run(kubectl, downloaded, "auth", "whoami", "-o", "json")
    assert json.loads(whoami.stdout)["status"]["userInfo"]["username"] == \
        f"system:serviceaccount:{namespace}:icgpu-cluster-admin", whoami.stderr
    for outside in (("get", "pods", "-n", "default"), ("get", "namespaces"), ("get", "nodes"),
                    ("create", "-n", "default", "-f", "-")):
        refused = run(kubectl, downloaded, *outside, stdin=json.dumps(POD))
        assert refused.returncode != 0 and "Forbidden" in refused.stderr, (outside, refused.stdout, refused.stderr)

    # The credential is never logged nor put in an event.
    assert token not in server.log()
    assert not [d for d in db_scalars(server, select(Event.data).where(Event.resource_id == cluster_id))
                if token in json.dumps(d)]

    r = tenant.api.delete(f"{CLUSTERS}/{cluster_id}")
    assert r.status_code == 200, r.text
    wait_status(tenant.api, cluster_id, "terminated", timeout=120)
    gone = run(kubectl, downloaded, "get", "pods")
    assert gone.returncode != 0, gone.stdout  # Forbidden (the RoleBinding is gone) or Unauthorized
    # The token itself is revoked: the API server caches a successful token review for 10 s
    # (TokenSuccessCacheTTL), then refuses it as unknown.
    wait_until(lambda: "Unauthorized" in run(kubectl, downloaded, "get", "pods").stderr, timeout=30, interval=1,
               what="the deleted cluster's token to be refused as Unauthorized")
    missing = run(kubectl, admin, "get", "namespace", namespace)
    assert missing.returncode != 0 and "NotFound" in missing.stderr, missing.stderr
    assert tenant.api.get(f"{CLUSTERS}/{cluster_id}/kubeconfig").status_code == 404
    assert event_types(server, cluster_id) == ["cluster.created", "cluster.provisioning", "cluster.running",
                                               "cluster.provisioning", "cluster.running",  # the RoleBinding
                                               "cluster.deleting", "cluster.terminated"]


@pytest.fixture
async def provisioner(control_plane: ControlPlane) -> AsyncIterator[KubernetesClusterProvisioner]:
    """The cluster provisioner a server makes beside conftest's ``new_provisioner`` (on its settings and
    client, as provisioning/select.py does), started; not the workload provisioner conftest's fixture gives."""
    workloads = new_provisioner(control_plane)
    clusters = KubernetesClusterProvisioner(workloads.settings, workloads.kube)
    await clusters.start()
    try:
        yield clusters
    finally:
        await clusters.stop()


async def test_clusters_are_found_by_label_and_deletion_revokes_the_token_before_the_namespace_goes(
        provisioner: KubernetesClusterProvisioner, kube: client.ApiClient) -> None:
    core = client.CoreV1Api(kube)
    spec = ClusterSpec("cls-k8sprobe01", "1.31", "", None, None)
    assert (await provisioner.observe_clusters([spec.cluster_id]))[spec.cluster_id].phase is Phase.ABSENT
    assert not await provisioner.vcluster_installed()

    async def started() -> Any:
        obs = await provisioner.ensure_cluster(spec)
        return obs if obs.phase is Phase.RUNNING else None

    obs = await wait_for("the cluster to run", started, within=60)
    assert obs.server_url == kube.configuration.host
    assert spec.cluster_id in await provisioner.clusters()
    assert (await provisioner.observe_clusters([spec.cluster_id]))[spec.cluster_id].phase is Phase.RUNNING
    credential = await provisioner.credential(spec.cluster_id)
    assert credential is not None and credential.namespace == namespace_of(spec.cluster_id)
    assert (await provisioner.ensure_cluster(spec)) == obs  # applying again changes nothing

    # A part deleted (its user may: the Role allows it) makes the cluster absent until applied anew.
    rbac = client.RbacAuthorizationV1Api(kube)
    await rbac.delete_namespaced_role_binding("icgpu-cluster-admin", namespace_of(spec.cluster_id))
    lost = (await provisioner.observe_clusters([spec.cluster_id]))[spec.cluster_id]
    assert lost.phase is Phase.ABSENT and lost.reason == "deleted from its namespace: RoleBinding", lost
    assert (await provisioner.ensure_cluster(spec)) == obs
    assert (await provisioner.observe_clusters([spec.cluster_id]))[spec.cluster_id] == obs

    assert (await provisioner.ensure_cluster_gone(spec.cluster_id)).phase is Phase.TERMINATING
    assert await provisioner.credential(spec.cluster_id) is None
    # The token Secret is deleted at once, before the namespace controller empties the namespace.
    secrets = await core.list_namespaced_secret(namespace_of(spec.cluster_id))
    assert "icgpu-cluster-admin-token" not in {s.metadata.name for s in secrets.items}

    async def gone() -> bool | None:
        return True if (await provisioner.ensure_cluster_gone(spec.cluster_id)).phase is Phase.ABSENT else None

    await wait_for("the namespace to be gone", gone, within=120)
    assert spec.cluster_id not in await provisioner.clusters()


async def test_observing_lists_each_kind_once_and_heals_an_edited_role_and_a_deleted_service_account(
        provisioner: KubernetesClusterProvisioner, kube: client.ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    rbac = client.RbacAuthorizationV1Api(kube)
    core = client.CoreV1Api(kube)
    spec = ClusterSpec("cls-k8sheal0001", "1.31", "", None, None)
    namespace = namespace_of(spec.cluster_id)

    async def running() -> ClusterObservation | None:
        obs = await provisioner.ensure_cluster(spec)
        return obs if obs.phase is Phase.RUNNING else None

    obs = await wait_for("the cluster to run", running, within=60)

    # One labelled list per kind that matters, however many clusters are observed.
    listed: list[str] = []
    real_list = Resources.list

    async def counting(self: Resources, type_: ObjectType, *args: Any, **kwargs: Any) -> Manifest:
        listed.append(type_.plural)
        return await real_list(self, type_, *args, **kwargs)

    monkeypatch.setattr(Resources, "list", counting)
    seen = await provisioner.observe_clusters([spec.cluster_id, "cls-k8sheal0002", "cls-k8sheal0003"])
    assert sorted(listed) == ["namespaces", "rolebindings", "roles", "secrets"], listed
    assert seen[spec.cluster_id] == obs and seen["cls-k8sheal0002"].phase is Phase.ABSENT
    monkeypatch.setattr(Resources, "list", real_list)

    # Its user narrows the Role (the Role lets it): the cluster is absent until the rules are applied anew.
    await rbac.patch_namespaced_role(ACCOUNT, namespace, {"rules": ROLE_RULES[:1]})
    edited = (await provisioner.observe_clusters([spec.cluster_id]))[spec.cluster_id]
    assert edited.phase is Phase.ABSENT and edited.reason == "changed in its namespace: Role", edited
    assert (await provisioner.ensure_cluster(spec)) == obs
    role = await provisioner.resources.get(ROLE, namespace, ACCOUNT)
    assert role is not None and role["rules"] == ROLE_RULES
    assert (await provisioner.observe_clusters([spec.cluster_id]))[spec.cluster_id] == obs

    # The ServiceAccount is not listed: deleting it takes its token Secret (the token controller), which is.
    await core.delete_namespaced_service_account(ACCOUNT, namespace)

    async def lost() -> ClusterObservation | None:
        seen = (await provisioner.observe_clusters([spec.cluster_id]))[spec.cluster_id]
        return seen if seen.phase is Phase.ABSENT else None

    gone = await wait_for("the cluster without its ServiceAccount to be absent", lost, within=30)
    assert gone.reason == "deleted from its namespace: Secret", gone
    assert await wait_for("the cluster to run again", running, within=60) == obs
    assert await provisioner.credential(spec.cluster_id) is not None

    async def removed() -> bool | None:
        return True if (await provisioner.ensure_cluster_gone(spec.cluster_id)).phase is Phase.ABSENT else None

    await wait_for("the namespace to be gone", removed, within=120)
