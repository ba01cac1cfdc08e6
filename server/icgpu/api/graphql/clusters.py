"""GraphQL queries and mutations for virtual Kubernetes clusters (rules: services/clusters.py)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.cluster import Cluster, ClusterConnection, ClusterPayload, CreateClusterInput, Kubeconfig
from icgpu.api.graphql.types.payloads import DryRun
from icgpu.db.tables_clusters import Cluster as ClusterRow
from icgpu.services.clusters import ClusterCreate
from icgpu.services.pagination import PageRequest

READ = [requires("clusters", "read")]
WRITE = [requires("clusters", "write")]


@strawberry.type
class ClusterQueries:
    @strawberry.field(permission_classes=READ, description="Kubernetes versions a new cluster may run, oldest "
                      "first; the last is the default.")
    async def cluster_versions(self, info: Info) -> list[str]:
        return info.context.platform.clusters.versions()  # type: ignore[no-any-return]

    @strawberry.field(permission_classes=READ, description="Your clusters and those shared with your teams, "
                      "oldest first, one page at a time (terminated ones aside).")
    async def clusters(self, info: Info, max_results: int | None = None,
                       next_token: str | None = None) -> ClusterConnection:
        ctx = info.context
        page = await ctx.platform.clusters.list(await ctx.principal(), PageRequest(max_results, next_token))
        return ClusterConnection(items=await Cluster.many(info, page.items), next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def cluster(self, info: Info, id: strawberry.ID) -> Cluster:
        ctx = info.context
        return await Cluster.one(info, await ctx.platform.clusters.get(await ctx.principal(), str(id)))

    @strawberry.field(permission_classes=READ, description="The cluster's kubeconfig (with its credential: a bearer "
                      "token, or a client certificate and its key). "
                      "Not found once the cluster is deleted; ClusterNotReady before its API server has an address.")
    async def cluster_kubeconfig(self, info: Info, id: strawberry.ID) -> Kubeconfig:
        ctx = info.context
        k = await ctx.platform.clusters.kubeconfig(await ctx.principal(), str(id))
        return Kubeconfig.from_view(k)


@strawberry.type
class ClusterMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Create a virtual Kubernetes cluster.")
    async def create_cluster(self, info: Info, input: CreateClusterInput, dry_run: DryRun = False) -> ClusterPayload:
        ctx = info.context
        data = parse_input(ClusterCreate, {"name": input.name, "version": input.version, "team_id": input.team_id})
        row = await ctx.platform.clusters.create(await ctx.principal(), data, dry_run=dry_run)
        return await _payload(info, row, dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Delete a cluster: its credential is revoked at "
                         "once, its control plane removed (deleting, then terminated).")
    async def delete_cluster(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> ClusterPayload:
        ctx = info.context
        row = await ctx.platform.clusters.delete(await ctx.principal(), str(id), dry_run=dry_run)
        return await _payload(info, row, dry_run)


async def _payload(info: Info, row: ClusterRow, dry_run: bool) -> ClusterPayload:
    return ClusterPayload(dry_run=dry_run, valid=True, cluster=await Cluster.one(info, row))
