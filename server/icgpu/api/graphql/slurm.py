"""GraphQL queries and mutations for Slurm environments (the rules are in services/slurm.py)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.payloads import DryRun
from icgpu.api.graphql.types.slurm import (
    CreateSlurmEnvironmentInput,
    SlurmEnvironment,
    SlurmEnvironmentConnection,
    SlurmEnvironmentPayload,
)
from icgpu.services.pagination import PageRequest
from icgpu.services.slurm import SCOPE, SlurmEnvironmentCreate

READ = [requires(SCOPE, "read")]
WRITE = [requires(SCOPE, "write")]


@strawberry.type
class SlurmQueries:
    @strawberry.field(permission_classes=READ, description="Your live Slurm environments and those shared with "
                      "your teams, oldest first, one page at a time.")
    async def slurm_environments(self, info: Info, max_results: int | None = None,
                                 next_token: str | None = None) -> SlurmEnvironmentConnection:
        ctx = info.context
        page = await ctx.platform.slurm.list(await ctx.principal(), PageRequest(max_results, next_token))
        return SlurmEnvironmentConnection(items=[SlurmEnvironment.from_row(r) for r in page.items],
                                          next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def slurm_environment(self, info: Info, id: strawberry.ID) -> SlurmEnvironment:
        ctx = info.context
        return SlurmEnvironment.from_row(await ctx.platform.slurm.get(await ctx.principal(), str(id)))


@strawberry.type
class SlurmMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Create a Slurm environment: it reserves "
                         "maxNodes x gpuPerNode GPUs and is pending until they are all placed.")
    async def create_slurm_environment(self, info: Info, input: CreateSlurmEnvironmentInput,
                                       dry_run: DryRun = False) -> SlurmEnvironmentPayload:
        ctx = info.context
        data = parse_input(SlurmEnvironmentCreate, {
            "name": input.name, "max_nodes": input.max_nodes, "gpu_per_node": input.gpu_per_node,
            "gpu_tier": input.gpu_tier, "team_id": input.team_id,
        })
        row = await ctx.platform.slurm.create(await ctx.principal(), data, dry_run=dry_run)
        return SlurmEnvironmentPayload(dry_run=dry_run, valid=True, slurm_environment=SlurmEnvironment.from_row(row))

    @strawberry.mutation(permission_classes=WRITE, description="Delete a Slurm environment and release its GPUs.")
    async def delete_slurm_environment(self, info: Info, id: strawberry.ID,
                                       dry_run: DryRun = False) -> SlurmEnvironmentPayload:
        ctx = info.context
        row = await ctx.platform.slurm.delete(await ctx.principal(), str(id), dry_run=dry_run)
        return SlurmEnvironmentPayload(dry_run=dry_run, valid=True, slurm_environment=SlurmEnvironment.from_row(row))
