"""Virtual clusters on a host Kubernetes cluster: one namespace per cluster, with a ServiceAccount
whose token is the downloaded kubeconfig's credential.

vCluster (a real API server per cluster, run in a pod of the host) is the production design; it is
not implemented here. ``start()`` detects vCluster's CRD and says so in the log, and clusters are
made the namespace way either way, which needs nothing installed in the host cluster:

* a namespace ``icgpu-cluster-<cluster id>``, labelled like the workload objects
  (``app.kubernetes.io/managed-by=icgpu``, ``icgpu.dev/cluster=<cluster id>``);
* in it a ServiceAccount, a Role with full access to the usual namespaced resources of that
  namespace (read-only on its quotas and limits; RBAC objects without ``escalate``/``bind``), and a
  RoleBinding of the one to the other, so the token can do nothing outside the namespace;
* the token: a Secret of type ``kubernetes.io/service-account-token``, filled in by the host's
  token controller. Chosen over a TokenRequest because the credential must last as long as the
  cluster (the local simulator's token never expires either) and be the same on every download,
  without the control plane storing it: the Secret is read on each download (``credential``,
  through the platform's own client) and revoked by deleting it. A TokenRequest token would need an
  expiry chosen up front and stays valid until then unless its ServiceAccount goes.

Every object is server-side applied with the field manager ``icgpu``. A cluster is RUNNING once its
token is issued and the namespace's ``default`` ServiceAccount exists (pods cannot be created before);
deletion first deletes the token Secret (the credential stops working at once), then the namespace,
and reports TERMINATING until the namespace is gone. The Role lets a cluster's user delete its own
ServiceAccount, Role, RoleBinding or token Secret: ``observe_clusters`` then reports the cluster
absent, and the reconciler provisions it again (a new Secret means a new token: download again).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes_asyncio import client

from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import ClusterCredential, ClusterObservation, ClusterSpec
from icgpu.provisioning.kubernetes.client import KubeClient
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.naming import MANAGED_BY, MANAGED_SELECTOR, MANAGER
from icgpu.provisioning.kubernetes.resources import NAMESPACE, Resources, api_message
from icgpu.settings import Settings

log = logging.getLogger(__name__)

CLUSTER_LABEL = "icgpu.dev/cluster"
NAMESPACE_PREFIX = "icgpu-cluster-"
ACCOUNT = "icgpu-cluster-admin"  # the ServiceAccount, its Role and its RoleBinding
TOKEN_SECRET = "icgpu-cluster-admin-token"
TOKEN_TYPE = "kubernetes.io/service-account-token"
SECRET = ObjectType("", "v1", "secrets", "Secret")
SERVICE_ACCOUNT = ObjectType("", "v1", "serviceaccounts", "ServiceAccount")
ROLE = ObjectType("rbac.authorization.k8s.io", "v1", "roles", "Role")
ROLE_BINDING = ObjectType("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding")
PARTS = (SERVICE_ACCOUNT, ROLE, ROLE_BINDING)  # named ACCOUNT, beside the token Secret
CRD = ObjectType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition")
VCLUSTER_CRD = "vclusters.infrastructure.cluster.x-k8s.io"  # vCluster's Cluster API provider
SELECTOR = f"{CLUSTER_LABEL},{MANAGED_SELECTOR}"  # every cluster's objects

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


def namespace_of(cluster_id: str) -> str:
    """Cluster ids are lower-case base 36 with a dash (``cls-…``): already a DNS-1123 label."""
    return NAMESPACE_PREFIX + cluster_id


def labels_of(cluster_id: str) -> dict[str, str]:
    return {MANAGED_BY: MANAGER, CLUSTER_LABEL: cluster_id}


def _meta(name: str, cluster_id: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": labels_of(cluster_id), **extra}


def manifests(cluster_id: str) -> list[Manifest]:
    """The objects of one cluster, in apply order (the namespace first)."""
    ns = namespace_of(cluster_id)
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns, cluster_id)},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(ACCOUNT, cluster_id, namespace=ns)},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": _meta(ACCOUNT, cluster_id, namespace=ns), "rules": ROLE_RULES},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": _meta(ACCOUNT, cluster_id, namespace=ns),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ACCOUNT},
         "subjects": [{"kind": "ServiceAccount", "name": ACCOUNT, "namespace": ns}]},
        {"apiVersion": "v1", "kind": "Secret", "type": TOKEN_TYPE,
         "metadata": _meta(TOKEN_SECRET, cluster_id, namespace=ns,
                           annotations={"kubernetes.io/service-account.name": ACCOUNT})},
    ]


def _token(secret: Manifest | None) -> str | None:
    """The token the host's token controller wrote into the Secret, or None before it has."""
    encoded = (secret or {}).get("data", {}).get("token")
    return base64.b64decode(encoded).decode() if encoded else None


def _cluster_id(namespace: Manifest) -> str:
    return str(namespace["metadata"]["labels"][CLUSTER_LABEL])


def _terminating(namespace: Manifest) -> bool:
    return namespace["metadata"].get("deletionTimestamp") is not None


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


class KubernetesClusterProvisioner:
    issues_credentials = True  # the ServiceAccount token of each cluster's namespace

    def __init__(self, settings: Settings, kube: KubeClient) -> None:
        self.settings = settings
        self.kube = kube
        self._host: HostApi | None = None

    async def connect(self) -> None:
        """Start the (shared) client and learn where the host API server is."""
        await self.kube.start()
        self._host = HostApi.of(self.kube.api.configuration)

    async def start(self) -> None:
        await self.connect()
        if await self.vcluster_installed():
            log.warning("vCluster's CRD %s is installed, but this provisioner does not drive vCluster: "
                        "clusters are namespaces with a ServiceAccount token", VCLUSTER_CRD)

    async def stop(self) -> None:
        await self.kube.close()

    @property
    def host(self) -> HostApi:
        if self._host is None:
            raise RuntimeError("the Kubernetes cluster provisioner is not started")
        return self._host

    @property
    def resources(self) -> Resources:
        return Resources(self.kube.api)

    async def vcluster_installed(self) -> bool:
        """Is vCluster's CRD there? (Reading CRDs needs a cluster-wide read; without it: not known, no.)"""
        try:
            return await self.resources.get(CRD, None, VCLUSTER_CRD) is not None
        except client.ApiException as err:
            log.info("cannot tell whether vCluster is installed (%s)", api_message(err))
            return False

    # -- the protocol ------------------------------------------------------------------------------

    async def ensure_cluster(self, spec: ClusterSpec) -> ClusterObservation:
        ns = await self._namespace(spec.cluster_id)
        if ns is not None and _terminating(ns):
            return ClusterObservation(Phase.TERMINATING, reason="its namespace is being deleted")
        for manifest in manifests(spec.cluster_id):
            await self.resources.apply(manifest, namespace=manifest["metadata"].get("namespace"))
        obs = await self._observe_one(spec.cluster_id)
        if obs.phase is Phase.RUNNING and await self._default_account(spec.cluster_id) is None:
            return ClusterObservation(Phase.STARTING, server_url=obs.server_url,
                                      reason="waiting for the namespace's default ServiceAccount")
        return obs

    async def ensure_cluster_gone(self, cluster_id: str) -> ClusterObservation:
        ns = await self._namespace(cluster_id)
        if ns is None:
            return ClusterObservation(Phase.ABSENT)
        if not _terminating(ns):
            # The token first: the credential stops working now, not when the namespace is empty.
            await self.resources.delete(SECRET, namespace_of(cluster_id), TOKEN_SECRET)
            await self.resources.delete(NAMESPACE, None, namespace_of(cluster_id))
        return ClusterObservation(Phase.TERMINATING, reason="its namespace is being deleted")

    async def observe_clusters(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]:
        """Five lists for any number of clusters: their namespaces, token Secrets and the parts of
        PARTS. A cluster missing any of its objects (its user may delete them: the Role allows it)
        is reported absent, so the reconciler provisions it again and they are applied anew."""
        by_id = {_cluster_id(n): n for n in await self._namespaces()}
        secrets, *parts = await asyncio.gather(
            self.resources.list(SECRET, label_selector=SELECTOR, field_selector=f"type={TOKEN_TYPE}"),
            *(self.resources.list(type_, label_selector=SELECTOR) for type_ in PARTS))
        tokens = {s["metadata"]["namespace"]: _token(s) for s in secrets.get("items") or []
                  if s["metadata"]["name"] == TOKEN_SECRET}
        present = {(o["metadata"]["namespace"], type_.kind)
                   for type_, listed in zip(PARTS, parts, strict=True) for o in listed.get("items") or []
                   if o["metadata"]["name"] == ACCOUNT}
        observed: dict[str, ClusterObservation] = {}
        for i in cluster_ids:
            ns = namespace_of(i)
            missing = [t.kind for t in PARTS if (ns, t.kind) not in present] + ([] if ns in tokens else [SECRET.kind])
            observed[i] = self._observation(by_id.get(i), tokens.get(ns), missing)
        return observed

    async def clusters(self) -> list[str]:
        return [_cluster_id(n) for n in await self._namespaces()]

    # -- the kubeconfig's credential ---------------------------------------------------------------

    async def credential(self, cluster_id: str) -> ClusterCredential | None:
        """The host API server, its CA, the ServiceAccount's token and the namespace; None while the
        cluster has no live token (not issued yet, or deleted)."""
        ns = await self._namespace(cluster_id)
        if ns is None or _terminating(ns):
            return None
        token = _token(await self.resources.get(SECRET, namespace_of(cluster_id), TOKEN_SECRET))
        if token is None:
            return None
        return ClusterCredential(self.host.server_url, self.host.ca_cert_pem, token, namespace_of(cluster_id))

    # -- helpers -----------------------------------------------------------------------------------

    def _observation(self, ns: Manifest | None, token: str | None,
                     missing: list[str] | None = None) -> ClusterObservation:
        if ns is None:
            return ClusterObservation(Phase.ABSENT)
        if _terminating(ns):
            return ClusterObservation(Phase.TERMINATING, reason="its namespace is being deleted")
        if missing:
            return ClusterObservation(Phase.ABSENT, reason=f"deleted from its namespace: {', '.join(missing)}")
        if token is None:
            return ClusterObservation(Phase.STARTING, server_url=self.host.server_url,
                                      reason="waiting for the ServiceAccount's token")
        return ClusterObservation(Phase.RUNNING, server_url=self.host.server_url)

    async def _namespace(self, cluster_id: str) -> Manifest | None:
        return await self.resources.get(NAMESPACE, None, namespace_of(cluster_id))

    async def _observe_one(self, cluster_id: str) -> ClusterObservation:
        ns = await self._namespace(cluster_id)
        secret = await self.resources.get(SECRET, namespace_of(cluster_id), TOKEN_SECRET) if ns else None
        return self._observation(ns, _token(secret))

    async def _default_account(self, cluster_id: str) -> Manifest | None:
        return await self.resources.get(SERVICE_ACCOUNT, namespace_of(cluster_id), "default")

    async def _namespaces(self) -> list[Manifest]:
        return list((await self.resources.list(NAMESPACE, label_selector=SELECTOR)).get("items") or [])
