"""Virtual clusters as vCluster's objects, where vCluster's Cluster API provider is installed in the
host cluster (its CRD ``vclusters.infrastructure.cluster.x-k8s.io``; clusters.py decides at start).

A cluster is its namespace ``icgpu-cluster-<cluster id>`` (cluster_namespace.py) holding one
``VCluster`` (``infrastructure.cluster.x-k8s.io/v1alpha1``) named for the cluster, server-side applied
with the field manager ``icgpu`` and labelled like every cluster object. Its spec names the chart the
provider installs by default (``vcluster`` from ``https://charts.loft.sh``) and nothing else: the
provider's API has no Kubernetes-version field (the chart's value ``controlPlane.distro.k8s.version`` is
the control plane's image tag, a full version where the platform has a minor one), so the version asked
for is kept in the annotation ``icgpu.dev/kubernetes-version`` and the chart's default runs.

vCluster's controller installs the chart and writes what the provisioner reads:

* the status: ``ready``, ``phase`` (Pending, Deployed, Failed), ``reason``/``message`` and Cluster API
  style ``conditions`` (``severity`` Error on a False condition means failed); and the control-plane
  endpoint into ``spec.controlPlaneEndpoint`` (host, port). Ready with an endpoint is RUNNING at
  ``https://host:port``; phase Failed is FAILED with the controller's reason; anything else is
  STARTING with the first False condition as the reason;
* the kubeconfig, by Cluster API's convention in the Secret ``<name>-kubeconfig`` under the key
  ``value``. ``credential`` reads it through the platform's own client on each download (never
  stored): its current context's server, CA and namespace, and its user's credential, a client
  certificate and key (vCluster's own kubeconfig) or a bearer token. A user with neither as data
  (e.g. file paths, which mean nothing off the controller's machine) is not served: logged with the
  names of the keys it has, never their values, and the download answers 409.

**Cluster API's ``Cluster``.** Where Cluster API's own CRD (``clusters.cluster.x-k8s.io``, e.g. after
``clusterctl init``) is installed too, the provider leaves a VCluster alone until a ``Cluster`` owns it
(Cluster API's controller sets that owner reference on the object a Cluster names as its
``spec.infrastructureRef``), and names the kubeconfig Secret after that Cluster. So in that case (decided
once at start, like the VCluster CRD) each cluster also gets a ``Cluster``
(``cluster.x-k8s.io/v1beta1``) of the same name in its namespace, whose ``infrastructureRef`` and
``controlPlaneRef`` both name the VCluster, as the provider's own cluster template does; the Secret keeps
its name. A Cluster deleted behind the platform's back makes the cluster absent (it is applied anew).

Deletion deletes the Cluster (if any), the VCluster and its kubeconfig Secret at once (the download stops
at once; the provider's finalizer uninstalls the chart), and the namespace once they are gone.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

import yaml  # PyYAML, a dependency of kubernetes-asyncio (kubeconfigs are YAML)

from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import (
    BearerToken,
    ClientCertificate,
    ClusterCredential,
    ClusterObservation,
    ClusterSpec,
    UserCredential,
)
from icgpu.provisioning.kubernetes.cluster_namespace import (
    SECRET,
    SELECTOR,
    ClusterNamespaces,
    cluster_id_of,
    deleting,
    items,
    meta,
    namespace_manifest,
    namespace_of,
)
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.resources import Resources

log = logging.getLogger(__name__)

VCLUSTER = ObjectType("infrastructure.cluster.x-k8s.io", "v1alpha1", "vclusters", "VCluster")
VCLUSTER_CRD = f"{VCLUSTER.plural}.{VCLUSTER.group}"  # vCluster's Cluster API provider
CAPI_CLUSTER = ObjectType("cluster.x-k8s.io", "v1beta1", "clusters", "Cluster")  # Cluster API's own
CAPI_CLUSTER_CRD = f"{CAPI_CLUSTER.plural}.{CAPI_CLUSTER.group}"
KUBERNETES_VERSION = "icgpu.dev/kubernetes-version"  # annotation: the version the API was asked for
CHART = {"name": "vcluster", "repo": "https://charts.loft.sh"}  # the provider's documented defaults
KUBECONFIG_KEY = "value"  # Cluster API's key of the kubeconfig in the <name>-kubeconfig Secret
DEFAULT_PORT = 443  # the provider's port when the endpoint has none
FAILED = "Failed"  # status.phase
ERROR = "Error"  # a condition's severity
CLUSTER_GOING = "Cluster API's controller is removing its Cluster"


def kubeconfig_secret(cluster_id: str) -> str:
    return f"{cluster_id}-kubeconfig"


def vcluster_manifest(spec: ClusterSpec) -> Manifest:
    extra: dict[str, Any] = {"namespace": namespace_of(spec.cluster_id)}
    if spec.version:
        extra["annotations"] = {KUBERNETES_VERSION: spec.version}
    return {"apiVersion": VCLUSTER.api_version, "kind": VCLUSTER.kind,
            "metadata": meta(spec.cluster_id, spec.cluster_id, **extra),
            "spec": {"helmRelease": {"chart": dict(CHART)}}}


def capi_cluster_manifest(cluster_id: str) -> Manifest:
    """Cluster API's Cluster that owns the cluster's VCluster once Cluster API's controller has seen it:
    the VCluster is both its infrastructure and its control plane (the provider's cluster template)."""
    vcluster = {"apiVersion": VCLUSTER.api_version, "kind": VCLUSTER.kind, "name": cluster_id}
    return {"apiVersion": CAPI_CLUSTER.api_version, "kind": CAPI_CLUSTER.kind,
            "metadata": meta(cluster_id, cluster_id, namespace=namespace_of(cluster_id)),
            "spec": {"infrastructureRef": dict(vcluster), "controlPlaneRef": dict(vcluster)}}


def owned_by_a_cluster(vcluster: Manifest) -> bool:
    """Has Cluster API's controller made a Cluster the VCluster's owner (what the provider waits for)?"""
    return any(ref.get("kind") == CAPI_CLUSTER.kind and ref.get("apiVersion", "").startswith(f"{CAPI_CLUSTER.group}/")
               for ref in vcluster["metadata"].get("ownerReferences") or [])


def server_url(vcluster: Manifest) -> str | None:
    """``https://host:port`` from ``spec.controlPlaneEndpoint`` (written by the controller when it
    discovers it), or None while it has no host."""
    endpoint = (vcluster.get("spec") or {}).get("controlPlaneEndpoint") or {}
    host = str(endpoint.get("host") or "")
    if not host:
        return None
    if host.startswith("https://"):
        return host
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"https://{host}:{endpoint.get('port') or DEFAULT_PORT}"


def _said(condition: Manifest) -> str:
    return f"{condition.get('type')}: {condition.get('message') or condition.get('reason') or 'False'}"


def observe(vcluster: Manifest, *, cluster_api: bool = False) -> ClusterObservation:
    """The cluster's phase from what vCluster's controller wrote on its VCluster (``cluster_api``: the
    provider waits for a Cluster to own it first)."""
    if deleting(vcluster):
        return ClusterObservation(Phase.TERMINATING, reason="vCluster's controller is removing it")
    status = vcluster.get("status") or {}
    if cluster_api and not status and not owned_by_a_cluster(vcluster):
        return ClusterObservation(Phase.STARTING, reason="waiting for Cluster API's controller to make its "
                                                         "Cluster the VCluster's owner")
    url = server_url(vcluster)
    false = [c for c in status.get("conditions") or [] if c.get("status") == "False"]
    errors = [c for c in false if c.get("severity") == ERROR]
    if status.get("phase") == FAILED or errors:
        said = status.get("message") or status.get("reason") or (_said(errors[0]) if errors else FAILED)
        return ClusterObservation(Phase.FAILED, server_url=url, reason=f"vCluster failed: {said}")
    if status.get("ready") is True and url is not None:
        return ClusterObservation(Phase.RUNNING, server_url=url)
    # The Ready condition summarizes the others: name the particular one that is False if any.
    particular = [c for c in false if c.get("type") != "Ready"] or false
    if particular:
        reason = _said(particular[0])
    elif status.get("ready") is True:
        reason = "ready, waiting for its control-plane endpoint"
    else:
        reason = "waiting for vCluster's controller"
    return ClusterObservation(Phase.STARTING, server_url=url, reason=reason)


class UnusableKubeconfig(ValueError):
    """The kubeconfig vCluster's controller wrote cannot be served as the platform's kubeconfig."""


def _pem(user: Manifest, key: str) -> str:
    try:
        return base64.b64decode(str(user[key]), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise UnusableKubeconfig(f"its user's {key} is not base64 PEM") from None


def user_credential(user: Manifest) -> UserCredential:
    """The user's bearer token, else its client certificate and key (vCluster's): only data, not files."""
    if user.get("token"):
        return BearerToken(str(user["token"]))
    if user.get("client-certificate-data") and user.get("client-key-data"):
        try:
            return ClientCertificate(_pem(user, "client-certificate-data"), _pem(user, "client-key-data"))
        except ValueError as err:  # its message never holds the key
            raise UnusableKubeconfig(str(err)) from None
    has = sorted(k for k in user if user[k]) or ["nothing"]
    raise UnusableKubeconfig(f"its user has neither a bearer token nor client certificate and key data "
                             f"(it has {', '.join(has)})")


def credential_of(kubeconfig: str) -> ClusterCredential:
    """The current context's server, CA, user credential and namespace (``default`` when it names none)."""
    try:
        config = yaml.safe_load(kubeconfig)
    except yaml.YAMLError as err:
        raise UnusableKubeconfig(f"not YAML ({err.__class__.__name__})") from None
    if not isinstance(config, dict):
        raise UnusableKubeconfig("not a kubeconfig")

    def named(section: str, name: Any) -> Manifest:
        for entry in config.get(section) or []:
            if isinstance(entry, dict) and entry.get("name") == name:
                return dict(entry)
        raise UnusableKubeconfig(f"no entry {name!r} in {section}")

    context = named("contexts", config.get("current-context")).get("context") or {}
    cluster = named("clusters", context.get("cluster")).get("cluster") or {}
    user = named("users", context.get("user")).get("user") or {}
    if not cluster.get("server"):
        raise UnusableKubeconfig("its cluster has no server")
    credential = user_credential(user)
    try:
        ca = base64.b64decode(cluster.get("certificate-authority-data") or "", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise UnusableKubeconfig("its certificate-authority-data is not base64 PEM") from None
    return ClusterCredential(str(cluster["server"]), ca, credential, str(context.get("namespace") or "default"))


class VClusterClusters:
    """The vCluster way; clusters.py has already checked that the cluster's namespace exists and is not
    being deleted where a method needs it to. ``cluster_api``: Cluster API's Cluster CRD is installed
    too, so each cluster also gets a Cluster owning its VCluster."""

    def __init__(self, resources: Resources, namespaces: ClusterNamespaces, *, cluster_api: bool = False) -> None:
        self.resources = resources
        self.namespaces = namespaces
        self.cluster_api = cluster_api

    async def _held(self, cluster_id: str) -> tuple[Manifest | None, Manifest | None]:
        """The cluster's VCluster and (with Cluster API) its Cluster, as the API server holds them."""
        ns = namespace_of(cluster_id)
        vcluster = await self.resources.get(VCLUSTER, ns, cluster_id)
        cluster = await self.resources.get(CAPI_CLUSTER, ns, cluster_id) if self.cluster_api else None
        return vcluster, cluster

    async def ensure(self, spec: ClusterSpec) -> ClusterObservation:
        ns = namespace_of(spec.cluster_id)
        vcluster, cluster = await self._held(spec.cluster_id)
        if vcluster is not None and deleting(vcluster):
            return observe(vcluster)  # an apply would not stop the deletion: let it finish, then make it anew
        if cluster is not None and deleting(cluster):
            return ClusterObservation(Phase.TERMINATING, reason=CLUSTER_GOING)
        await self.resources.apply(namespace_manifest(spec.cluster_id), namespace=None)
        if self.cluster_api:
            await self.resources.apply(capi_cluster_manifest(spec.cluster_id), namespace=ns)
        return observe(await self.resources.apply(vcluster_manifest(spec), namespace=ns), cluster_api=self.cluster_api)

    async def gone(self, cluster_id: str) -> ClusterObservation:
        ns = namespace_of(cluster_id)
        vcluster, cluster = await self._held(cluster_id)
        live = [type_ for type_, held in ((CAPI_CLUSTER, cluster), (VCLUSTER, vcluster))
                if held is not None and not deleting(held)]
        if live:
            for type_ in live:
                await self.resources.delete(type_, ns, cluster_id)
            # The kubeconfig Secret with them: the download stops now, not when the namespace is empty.
            await self.resources.delete(SECRET, ns, kubeconfig_secret(cluster_id))
            vcluster, cluster = await self._held(cluster_id)
        if vcluster is not None:
            return ClusterObservation(Phase.TERMINATING, reason="waiting for vCluster's controller to remove it")
        if cluster is not None:
            return ClusterObservation(Phase.TERMINATING, reason=CLUSTER_GOING)
        await self.namespaces.delete(cluster_id)
        return ClusterObservation(Phase.TERMINATING, reason="its namespace is being deleted")

    async def observe(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]:
        """One labelled list of the VClusters (and one of the Clusters with Cluster API); a cluster whose
        VCluster or Cluster was deleted behind the platform's back is absent (the reconciler provisions it
        again)."""
        vclusters = {cluster_id_of(v): v for v in items(await self.resources.list(VCLUSTER, label_selector=SELECTOR))}
        clusters = {cluster_id_of(c): c for c in items(await self.resources.list(CAPI_CLUSTER, label_selector=SELECTOR))
                    } if self.cluster_api else {}
        observed: dict[str, ClusterObservation] = {}
        for i in cluster_ids:
            vcluster, cluster = vclusters.get(i), clusters.get(i)
            if vcluster is not None and deleting(vcluster):
                observed[i] = observe(vcluster)
            elif cluster is not None and deleting(cluster):
                observed[i] = ClusterObservation(Phase.TERMINATING, reason=CLUSTER_GOING)
            elif vcluster is None:
                observed[i] = ClusterObservation(Phase.ABSENT, reason=f"deleted from its namespace: {VCLUSTER.kind}")
            elif self.cluster_api and cluster is None:
                observed[i] = ClusterObservation(Phase.ABSENT,
                                                 reason=f"deleted from its namespace: {CAPI_CLUSTER.kind}")
            else:
                observed[i] = observe(vcluster, cluster_api=self.cluster_api)
        return observed

    async def credential(self, cluster_id: str) -> ClusterCredential | None:
        ns = namespace_of(cluster_id)
        held = await self.resources.get(VCLUSTER, ns, cluster_id)
        if held is None or deleting(held):
            return None
        secret = await self.resources.get(SECRET, ns, kubeconfig_secret(cluster_id))
        encoded = ((secret or {}).get("data") or {}).get(KUBECONFIG_KEY)
        if not encoded:
            return None
        try:
            return credential_of(base64.b64decode(encoded).decode())
        except (UnusableKubeconfig, binascii.Error, UnicodeDecodeError) as err:
            log.warning("cluster %s: the kubeconfig in Secret %s/%s cannot be served: %s", cluster_id, ns,
                        kubeconfig_secret(cluster_id), err)
            return None
