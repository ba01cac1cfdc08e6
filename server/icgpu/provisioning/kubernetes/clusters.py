"""Virtual clusters on a host Kubernetes cluster, made one of two ways, decided once at ``start()``
(and logged) by whether vCluster's CRD (``vclusters.infrastructure.cluster.x-k8s.io``, vCluster's
Cluster API provider) is installed:

* **vCluster's objects** where it is: a ``VCluster`` in the cluster's namespace, its status and
  kubeconfig written by vCluster's controller, and a Cluster API ``Cluster`` owning it where Cluster
  API's CRD (``clusters.cluster.x-k8s.io``) is installed too, also decided at start (vcluster.py);
* otherwise **a namespace with a ServiceAccount**, which needs nothing installed in the host (below).

Either way each cluster has the namespace ``icgpu-cluster-<cluster id>``, and every object is labelled
``app.kubernetes.io/managed-by=icgpu``, ``icgpu.dev/cluster=<cluster id>`` (cluster_namespace.py) and
server-side applied with the field manager ``icgpu``. A cluster whose namespace is being deleted is
TERMINATING and gets no credential; ``clusters()`` lists the namespaces by label.

The namespace way:

* in the namespace a ServiceAccount, a Role with full access to the usual namespaced resources of that
  namespace (read-only on its quotas and limits; RBAC objects without ``escalate``/``bind``), and a
  RoleBinding of the one to the other, so the token can do nothing outside the namespace;
* the token: a Secret of type ``kubernetes.io/service-account-token``, filled in by the host's
  token controller. Chosen over a TokenRequest because the credential must last as long as the
  cluster (the local simulator's token never expires either) and be the same on every download,
  without the control plane storing it: the Secret is read on each download (``credential``,
  through the platform's own client) and revoked by deleting it. A TokenRequest token would need an
  expiry chosen up front and stays valid until then unless its ServiceAccount goes.

A cluster is RUNNING once its token is issued and the namespace's ``default`` ServiceAccount exists
(pods cannot be created before); deletion first deletes the token Secret (the credential stops working
at once), then the namespace, and reports TERMINATING until the namespace is gone. The Role lets a
cluster's user delete or edit its own ServiceAccount, Role, RoleBinding or token Secret:
``observe_clusters`` then reports the cluster absent (a deleted ServiceAccount takes its token Secret
with it: the token controller deletes the Secret of a ServiceAccount that is gone), and the reconciler
provisions it again, applying them anew (a new Secret means a new token: download again). It makes four
labelled lists for any number of clusters: the namespaces, the token Secrets, the Roles and the
RoleBindings.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kubernetes_asyncio import client

from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import BearerToken, ClusterCredential, ClusterObservation, ClusterSpec
from icgpu.provisioning.kubernetes.client import KubeClient
from icgpu.provisioning.kubernetes.cluster_namespace import (
    SECRET,
    SELECTOR,
    ClusterNamespaces,
    deleting,
    items,
    meta,
    namespace_manifest,
    namespace_of,
)
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.resources import Resources, crd_installed
from icgpu.provisioning.kubernetes.vcluster import CAPI_CLUSTER_CRD, VCLUSTER_CRD, VClusterClusters
from icgpu.settings import Settings

log = logging.getLogger(__name__)

ACCOUNT = "icgpu-cluster-admin"  # the ServiceAccount, its Role and its RoleBinding
TOKEN_SECRET = "icgpu-cluster-admin-token"
TOKEN_TYPE = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT = ObjectType("", "v1", "serviceaccounts", "ServiceAccount")
ROLE = ObjectType("rbac.authorization.k8s.io", "v1", "roles", "Role")
ROLE_BINDING = ObjectType("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding")
# Listed by observe_clusters (the ServiceAccount is not: its token Secret goes when it goes).
LISTED = (SECRET, ROLE, ROLE_BINDING)
NAMESPACE_GOING = "its namespace is being deleted"

ALL = ["*"]
READ = ["get", "list", "watch"]
# Everything but "escalate" and "bind": RBAC then lets the holder grant only what it already has.
WRITE = [*READ, "create", "update", "patch", "delete", "deletecollection"]
# The Role of a cluster's ServiceAccount: the usual namespaced resources of its namespace.
ROLE_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "verbs": ALL, "resources": [
        "pods", "pods/log", "pods/exec", "pods/attach", "pods/portforward", "pods/eviction", "services",
        "services/proxy", "endpoints", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts",
        "serviceaccounts/token", "replicationcontrollers", "replicationcontrollers/scale", "events"]},
    {"apiGroups": [""], "verbs": READ, "resources": ["resourcequotas", "limitranges", "pods/status",
                                                     "persistentvolumeclaims/status", "services/status"]},
    {"apiGroups": ["apps"], "verbs": ALL, "resources": [
        "deployments", "deployments/scale", "statefulsets", "statefulsets/scale", "daemonsets", "replicasets",
        "replicasets/scale", "controllerrevisions"]},
    {"apiGroups": ["batch"], "verbs": ALL, "resources": ["jobs", "cronjobs"]},
    {"apiGroups": ["autoscaling"], "verbs": ALL, "resources": ["horizontalpodautoscalers"]},
    {"apiGroups": ["policy"], "verbs": ALL, "resources": ["poddisruptionbudgets"]},
    {"apiGroups": ["networking.k8s.io"], "verbs": ALL, "resources": ["ingresses", "networkpolicies"]},
    {"apiGroups": ["discovery.k8s.io"], "verbs": READ, "resources": ["endpointslices"]},
    {"apiGroups": ["events.k8s.io"], "verbs": READ, "resources": ["events"]},
    {"apiGroups": ["coordination.k8s.io"], "verbs": ALL, "resources": ["leases"]},
    {"apiGroups": ["rbac.authorization.k8s.io"], "verbs": WRITE, "resources": ["roles", "rolebindings"]},
]


def manifests(cluster_id: str) -> list[Manifest]:
    """The objects of one cluster made the namespace way, in apply order (the namespace first)."""
    ns = namespace_of(cluster_id)
    return [
        namespace_manifest(cluster_id),
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(ACCOUNT, cluster_id, namespace=ns)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": meta(ACCOUNT, cluster_id, namespace=ns), "rules": ROLE_RULES},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": meta(ACCOUNT, cluster_id, namespace=ns),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ACCOUNT},
         "subjects": [{"kind": "ServiceAccount", "name": ACCOUNT, "namespace": ns}]},
        {"apiVersion": "v1", "kind": "Secret", "type": TOKEN_TYPE,
         "metadata": meta(TOKEN_SECRET, cluster_id, namespace=ns,
                          annotations={"kubernetes.io/service-account.name": ACCOUNT})},
    ]


def _token(secret: Manifest | None) -> str | None:
    """The token the host's token controller wrote into the Secret, or None before it has."""
    encoded = ((secret or {}).get("data") or {}).get("token")
    return base64.b64decode(encoded).decode() if encoded else None


def changed(stored: Manifest, rendered: Manifest) -> bool:
    """Has someone changed what the platform sets on the object (a Role's ``rules``, a RoleBinding's
    ``roleRef`` and ``subjects``, a Secret's ``type``)? Everything but the metadata is compared."""
    return any(stored.get(key) != value for key, value in rendered.items()
               if key not in ("apiVersion", "kind", "metadata"))


@dataclass(frozen=True)
class HostApi:
    """Where the host's API server is and the CA that verifies it: the provisioner's own kubeconfig
    (or in-cluster configuration), as its clients reach it."""

    server_url: str
    ca_cert_pem: str

    @classmethod
    def of(cls, configuration: client.Configuration) -> HostApi:
        ca_file = configuration.ssl_ca_cert
        return cls(str(configuration.host), Path(ca_file).read_text() if ca_file else "")


class Way(Protocol):
    """One way of making clusters. KubernetesClusterProvisioner has already checked the cluster's
    namespace: ``ensure`` is not called while it is being deleted, ``gone``, ``observe`` and
    ``credential`` only while it exists and is not being deleted."""

    async def ensure(self, spec: ClusterSpec) -> ClusterObservation: ...

    async def gone(self, cluster_id: str) -> ClusterObservation: ...

    async def observe(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]: ...

    async def credential(self, cluster_id: str) -> ClusterCredential | None: ...


class ServiceAccountClusters:
    """The namespace way: a ServiceAccount bound to a namespaced Role, its token the credential."""

    def __init__(self, resources: Resources, namespaces: ClusterNamespaces, host: HostApi) -> None:
        self.resources = resources
        self.namespaces = namespaces
        self.host = host

    async def ensure(self, spec: ClusterSpec) -> ClusterObservation:
        ns = namespace_of(spec.cluster_id)
        for manifest in manifests(spec.cluster_id):
            await self.resources.apply(manifest, namespace=manifest["metadata"].get("namespace"))
        if _token(await self.resources.get(SECRET, ns, TOKEN_SECRET)) is None:
            return self._starting("waiting for the ServiceAccount's token")
        if await self.resources.get(SERVICE_ACCOUNT, ns, "default") is None:
            return self._starting("waiting for the namespace's default ServiceAccount")
        return ClusterObservation(Phase.RUNNING, server_url=self.host.server_url)

    async def gone(self, cluster_id: str) -> ClusterObservation:
        # The token first: the credential stops working now, not when the namespace is empty.
        await self.resources.delete(SECRET, namespace_of(cluster_id), TOKEN_SECRET)
        await self.namespaces.delete(cluster_id)
        return ClusterObservation(Phase.TERMINATING, reason=NAMESPACE_GOING)

    async def observe(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]:
        """Three labelled lists for any number of clusters (token Secrets, Roles, RoleBindings). A
        cluster missing any of them, or whose Role or RoleBinding was edited, is absent."""
        listed = await asyncio.gather(
            self.resources.list(SECRET, label_selector=SELECTOR, field_selector=f"type={TOKEN_TYPE}"),
            *(self.resources.list(type_, label_selector=SELECTOR) for type_ in LISTED[1:]))
        held = {(o["metadata"]["namespace"], type_.kind, o["metadata"]["name"]): o
                for type_, answer in zip(LISTED, listed, strict=True) for o in items(answer)}
        kinds = {t.kind for t in LISTED}
        observed: dict[str, ClusterObservation] = {}
        for cluster_id in cluster_ids:
            missing, edited, token = [], [], None
            for manifest in (m for m in manifests(cluster_id) if m["kind"] in kinds):
                stored = held.get((manifest["metadata"]["namespace"], manifest["kind"], manifest["metadata"]["name"]))
                if stored is None:
                    missing.append(manifest["kind"])
                elif changed(stored, manifest):
                    edited.append(manifest["kind"])
                elif manifest["kind"] == SECRET.kind:
                    token = _token(stored)
            observed[cluster_id] = self._observation(missing, edited, token)
        return observed

    def _observation(self, missing: list[str], edited: list[str], token: str | None) -> ClusterObservation:
        if missing or edited:
            said = [f"{what} its namespace: {', '.join(kinds)}"
                    for what, kinds in (("deleted from", missing), ("changed in", edited)) if kinds]
            return ClusterObservation(Phase.ABSENT, reason="; ".join(said))
        if token is None:
            return self._starting("waiting for the ServiceAccount's token")
        return ClusterObservation(Phase.RUNNING, server_url=self.host.server_url)

    def _starting(self, reason: str) -> ClusterObservation:
        return ClusterObservation(Phase.STARTING, server_url=self.host.server_url, reason=reason)

    async def credential(self, cluster_id: str) -> ClusterCredential | None:
        """The host API server, its CA, the ServiceAccount's token and the namespace; None while the
        token is not issued (or deleted)."""
        token = _token(await self.resources.get(SECRET, namespace_of(cluster_id), TOKEN_SECRET))
        if token is None:
            return None
        return ClusterCredential(self.host.server_url, self.host.ca_cert_pem, BearerToken(token),
                                 namespace_of(cluster_id))


class KubernetesClusterProvisioner:
    # The host cluster issues each cluster's credential: a ServiceAccount token, or the kubeconfig
    # vCluster's controller writes.
    issues_credentials = True

    def __init__(self, settings: Settings, kube: KubeClient) -> None:
        self.settings = settings
        self.kube = kube
        self._host: HostApi | None = None
        self._way: Way | None = None
        self.uses_vcluster = False  # decided by start()
        self.uses_cluster_api = False  # decided by start(), with vCluster only

    async def connect(self) -> None:
        """Start the (shared) client and learn where the host API server is."""
        await self.kube.start()
        self._host = HostApi.of(self.kube.api.configuration)

    async def start(self) -> None:
        """Connect and choose the way clusters are made, once: vCluster's objects if its CRD is there."""
        await self.connect()
        self.uses_vcluster = await self.vcluster_installed()
        if self.uses_vcluster:
            self.uses_cluster_api = await self.installed(CAPI_CLUSTER_CRD)
            self._way = VClusterClusters(self.resources, self.namespaces, cluster_api=self.uses_cluster_api)
            log.info("vCluster's CRD %s is installed: clusters are VClusters, run by vCluster's controller",
                     VCLUSTER_CRD)
            log.info("Cluster API's CRD %s is %s", CAPI_CLUSTER_CRD,
                     "installed: each VCluster gets a Cluster that owns it" if self.uses_cluster_api else
                     "not installed: VClusters have no Cluster")
        else:
            self._way = ServiceAccountClusters(self.resources, self.namespaces, self.host)
            log.info("vCluster's CRD %s is not installed: clusters are namespaces with a ServiceAccount token",
                     VCLUSTER_CRD)

    async def stop(self) -> None:
        await self.kube.close()

    @property
    def host(self) -> HostApi:
        if self._host is None:
            raise RuntimeError("the Kubernetes cluster provisioner is not started")
        return self._host

    @property
    def way(self) -> Way:
        if self._way is None:
            raise RuntimeError("the Kubernetes cluster provisioner is not started")
        return self._way

    @property
    def resources(self) -> Resources:
        return Resources(self.kube.api)

    @property
    def namespaces(self) -> ClusterNamespaces:
        return ClusterNamespaces(self.resources)

    async def vcluster_installed(self) -> bool:
        return await self.installed(VCLUSTER_CRD)

    async def installed(self, crd: str) -> bool:
        """Is this CRD there? (resources.crd_installed)"""
        return await crd_installed(self.resources, crd)

    # -- the protocol ------------------------------------------------------------------------------

    async def ensure_cluster(self, spec: ClusterSpec) -> ClusterObservation:
        ns = await self.namespaces.get(spec.cluster_id)
        if ns is not None and deleting(ns):
            return ClusterObservation(Phase.TERMINATING, reason=NAMESPACE_GOING)
        return await self.way.ensure(spec)

    async def ensure_cluster_gone(self, cluster_id: str) -> ClusterObservation:
        ns = await self.namespaces.get(cluster_id)
        if ns is None:
            return ClusterObservation(Phase.ABSENT)
        if deleting(ns):
            return ClusterObservation(Phase.TERMINATING, reason=NAMESPACE_GOING)
        return await self.way.gone(cluster_id)

    async def observe_clusters(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]:
        """One labelled list of the namespaces, then the way's own lists for the clusters that have one."""
        namespaces = await self.namespaces.by_cluster()
        live = [i for i in cluster_ids if i in namespaces and not deleting(namespaces[i])]
        seen = await self.way.observe(live) if live else {}
        return {i: seen[i] if i in seen else
                ClusterObservation(Phase.TERMINATING, reason=NAMESPACE_GOING) if i in namespaces else
                ClusterObservation(Phase.ABSENT) for i in cluster_ids}

    async def clusters(self) -> list[str]:
        return list(await self.namespaces.by_cluster())

    async def credential(self, cluster_id: str) -> ClusterCredential | None:
        """The credential of a cluster whose namespace is live (None: not issued yet, or gone)."""
        ns = await self.namespaces.get(cluster_id)
        if ns is None or deleting(ns):
            return None
        return await self.way.credential(cluster_id)
