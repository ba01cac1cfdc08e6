"""The namespace each virtual cluster lives in, whichever way the cluster is made (a ServiceAccount's
namespace, clusters.py, or vCluster's objects, vcluster.py): its name, its labels and reading it.

Every object of a cluster carries the same two labels (``app.kubernetes.io/managed-by=icgpu``,
``icgpu.dev/cluster=<cluster id>``), so the provisioner finds all clusters' objects of one kind with
one labelled list.
"""

from __future__ import annotations

from typing import Any

from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.naming import MANAGED_BY, MANAGED_SELECTOR, MANAGER
from icgpu.provisioning.kubernetes.resources import NAMESPACE, Resources

CLUSTER_LABEL = "icgpu.dev/cluster"
NAMESPACE_PREFIX = "icgpu-cluster-"
SELECTOR = f"{CLUSTER_LABEL},{MANAGED_SELECTOR}"  # every cluster's objects
SECRET = ObjectType("", "v1", "secrets", "Secret")  # a cluster's credential is in one, either way


def namespace_of(cluster_id: str) -> str:
    """Cluster ids are lower-case base 36 with a dash (``cls-…``): already a DNS-1123 label."""
    return NAMESPACE_PREFIX + cluster_id


def labels_of(cluster_id: str) -> dict[str, str]:
    return {MANAGED_BY: MANAGER, CLUSTER_LABEL: cluster_id}


def meta(name: str, cluster_id: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": labels_of(cluster_id), **extra}


def namespace_manifest(cluster_id: str) -> Manifest:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(namespace_of(cluster_id), cluster_id)}


def cluster_id_of(obj: Manifest) -> str:
    """The cluster an object (its namespace, or any object in it) belongs to, from its label."""
    return str(obj["metadata"]["labels"][CLUSTER_LABEL])


def deleting(obj: Manifest) -> bool:
    return obj["metadata"].get("deletionTimestamp") is not None


def items(listed: Manifest) -> list[Manifest]:
    return list(listed.get("items") or [])


class ClusterNamespaces:
    """The clusters' namespaces in the host cluster."""

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    async def get(self, cluster_id: str) -> Manifest | None:
        return await self.resources.get(NAMESPACE, None, namespace_of(cluster_id))

    async def by_cluster(self) -> dict[str, Manifest]:
        """Every cluster's namespace (one labelled list), by cluster id."""
        return {cluster_id_of(n): n for n in items(await self.resources.list(NAMESPACE, label_selector=SELECTOR))}

    async def delete(self, cluster_id: str) -> None:
        await self.resources.delete(NAMESPACE, None, namespace_of(cluster_id))
