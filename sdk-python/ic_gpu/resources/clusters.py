"""client.clusters: virtual Kubernetes clusters: versions, create, list, get, kubeconfig, delete."""

from __future__ import annotations

import asyncio
import time

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given

RUNNING = "RUNNING"
GIVEN_UP = frozenset({"ERROR", "DELETING", "TERMINATED"})


class ClusterNotRunning(RuntimeError):
    """wait_running gave up: the cluster failed or is being deleted, or the timeout passed."""


def _check(c: g.ClusterFields | a.ClusterFields, deadline: float) -> bool:
    """True once running; raises when it never will be (or time is up)."""
    status = c.status.value
    if status == RUNNING:
        return True
    if status in GIVEN_UP or time.monotonic() >= deadline:
        raise ClusterNotRunning(f"cluster {c.id} is {status.lower()}: {c.status_reason}")
    return False


class Clusters(SyncResource):
    def versions(self) -> list[str]:
        """Kubernetes versions a new cluster may run, oldest first; the last is the default."""
        return list(self._gen.list_cluster_versions().cluster_versions)

    def create(self, *, name: str, version: str | None = None, team_id: str | None = None,
               dry_run: bool = False) -> g.CreateClusterCreateCluster:
        spec = g.CreateClusterInput(**given(name=name, version=version, team_id=team_id))
        return self._gen.create_cluster(spec, dry_run=dry_run).create_cluster

    def list(self, *, max_results: int | None = None) -> SyncPage[g.ClusterFields]:
        def fetch(token: str | None) -> Page[g.ClusterFields]:
            res = self._gen.list_clusters(max_results=max_results, next_token=token).clusters
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.ClusterFields:
        return self._gen.get_cluster(id).cluster

    def kubeconfig(self, id: str) -> g.KubeconfigFields:
        """The kubeconfig (``.kubeconfig``, YAML) and its parts; it holds the cluster's credential: a bearer
        ``token``, or a client certificate and its key (``client_certificate_data``, ``client_key_data``,
        base64 PEM). Exactly one of the two is set, the other None."""
        return self._gen.get_cluster_kubeconfig(id).cluster_kubeconfig

    def wait_running(self, id: str, *, timeout: float = 600.0, interval: float = 1.0) -> g.ClusterFields:
        """Poll until the control plane runs (its kubeconfig is then served); ClusterNotRunning if
        it fails or is deleted, or after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            c = self.get(id)
            if _check(c, deadline):
                return c
            time.sleep(interval)

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteClusterDeleteCluster:
        return self._gen.delete_cluster(id, dry_run=dry_run).delete_cluster


class AsyncClusters(AsyncResource):
    async def versions(self) -> list[str]:
        """Kubernetes versions a new cluster may run, oldest first; the last is the default."""
        return list((await self._gen.list_cluster_versions()).cluster_versions)

    async def create(self, *, name: str, version: str | None = None, team_id: str | None = None,
                     dry_run: bool = False) -> a.CreateClusterCreateCluster:
        spec = a.CreateClusterInput(**given(name=name, version=version, team_id=team_id))
        return (await self._gen.create_cluster(spec, dry_run=dry_run)).create_cluster

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.ClusterFields]:
        async def fetch(token: str | None) -> Page[a.ClusterFields]:
            res = (await self._gen.list_clusters(max_results=max_results, next_token=token)).clusters
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.ClusterFields:
        return (await self._gen.get_cluster(id)).cluster

    async def kubeconfig(self, id: str) -> a.KubeconfigFields:
        """As Clusters.kubeconfig, awaited: a bearer ``token``, or ``client_certificate_data`` and
        ``client_key_data``, the other None."""
        return (await self._gen.get_cluster_kubeconfig(id)).cluster_kubeconfig

    async def wait_running(self, id: str, *, timeout: float = 600.0,  # noqa: ASYNC109 (the sync signature)
                           interval: float = 1.0) -> a.ClusterFields:
        """As Clusters.wait_running, awaited."""
        deadline = time.monotonic() + timeout
        while True:
            c = await self.get(id)
            if _check(c, deadline):
                return c
            await asyncio.sleep(interval)

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteClusterDeleteCluster:
        return (await self._gen.delete_cluster(id, dry_run=dry_run)).delete_cluster
