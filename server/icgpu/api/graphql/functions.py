"""GraphQL queries and mutations for GPU functions and their runs (the same services as REST)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.function import (
    CreateFunctionInput,
    FunctionRun,
    FunctionRunConnection,
    FunctionRunPayload,
    FunctionRunStatus,
    GpuFunction,
    GpuFunctionConnection,
    GpuFunctionPayload,
    UpdateFunctionInput,
)
from icgpu.api.graphql.types.payloads import DryRun
from icgpu.services.function_runs import RunCreate
from icgpu.services.functions import FunctionCreate, FunctionUpdate
from icgpu.services.pagination import PageRequest

READ = [requires("functions", "read")]
WRITE = [requires("functions", "write")]


def _given(**fields: Any) -> dict[str, Any]:
    """Only the fields the caller set (an update leaves the others alone)."""
    return {k: v for k, v in fields.items() if v is not None}


@strawberry.type
class FunctionQueries:
    @strawberry.field(permission_classes=READ, description="Your functions and those shared with your teams, "
                      "oldest first, one page at a time (deleted ones are not listed).")
    async def functions(self, info: Info, max_results: int | None = None,
                        next_token: str | None = None) -> GpuFunctionConnection:
        ctx = info.context
        page = await ctx.platform.functions.list(await ctx.principal(), PageRequest(max_results, next_token))
        return GpuFunctionConnection(items=[GpuFunction.from_row(f) for f in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def function(self, info: Info, id: strawberry.ID) -> GpuFunction:
        ctx = info.context
        return GpuFunction.from_row(await ctx.platform.functions.get(await ctx.principal(), str(id)))

    @strawberry.field(permission_classes=READ, description="A function's runs, oldest first, one page at a time.")
    async def function_runs(self, info: Info, function_id: strawberry.ID, max_results: int | None = None,
                            next_token: str | None = None,
                            status: FunctionRunStatus | None = None,  # type: ignore[valid-type]
                            ) -> FunctionRunConnection:
        ctx = info.context
        page = await ctx.platform.function_runs.list(await ctx.principal(), str(function_id),
                                                     PageRequest(max_results, next_token),
                                                     status=status.value if status is not None else None)
        return FunctionRunConnection(items=[FunctionRun.from_row(r) for r in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def function_run(self, info: Info, id: strawberry.ID) -> FunctionRun:
        ctx = info.context
        return FunctionRun.from_row(await ctx.platform.function_runs.get(await ctx.principal(), str(id)))


@strawberry.type
class FunctionMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Create a GPU function.")
    async def create_function(self, info: Info, input: CreateFunctionInput,
                              dry_run: DryRun = False) -> GpuFunctionPayload:
        ctx = info.context
        data = parse_input(FunctionCreate, _given(
            name=input.name, image=input.image, entrypoint=input.entrypoint, gpu_tier=input.gpu_tier,
            timeout_seconds=input.timeout_seconds, env_vars=input.env_vars, secret_env_vars=input.secret_env_vars,
            team_id=input.team_id))
        fn = await ctx.platform.functions.create(await ctx.principal(), data, dry_run=dry_run)
        return GpuFunctionPayload(dry_run=dry_run, valid=True, function=GpuFunction.from_row(fn))

    @strawberry.mutation(permission_classes=WRITE, description="Change a function in place.")
    async def update_function(self, info: Info, id: strawberry.ID, input: UpdateFunctionInput,
                              dry_run: DryRun = False) -> GpuFunctionPayload:
        ctx = info.context
        data = parse_input(FunctionUpdate, _given(
            name=input.name, image=input.image, entrypoint=input.entrypoint, gpu_tier=input.gpu_tier,
            timeout_seconds=input.timeout_seconds, env_vars=input.env_vars, secret_env_vars=input.secret_env_vars))
        fn = await ctx.platform.functions.update(await ctx.principal(), str(id), data, dry_run=dry_run)
        return GpuFunctionPayload(dry_run=dry_run, valid=True, function=GpuFunction.from_row(fn))

    @strawberry.mutation(permission_classes=WRITE, description="Delete a function; its live runs are cancelled.")
    async def delete_function(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> GpuFunctionPayload:
        ctx = info.context
        fn = await ctx.platform.functions.delete(await ctx.principal(), str(id), dry_run=dry_run)
        return GpuFunctionPayload(dry_run=dry_run, valid=True, function=GpuFunction.from_row(fn))

    @strawberry.mutation(permission_classes=WRITE, description="Queue a run of a function with an input object.")
    async def run_function(self, info: Info, id: strawberry.ID, input: JSON | None = None,
                           dry_run: DryRun = False) -> FunctionRunPayload:
        ctx = info.context
        data = parse_input(RunCreate, _given(input=input))
        run = await ctx.platform.function_runs.start(await ctx.principal(), str(id), data, dry_run=dry_run)
        return FunctionRunPayload(dry_run=dry_run, valid=True, run=FunctionRun.from_row(run))

    @strawberry.mutation(permission_classes=WRITE, description="Cancel a queued or running run.")
    async def cancel_function_run(self, info: Info, id: strawberry.ID,
                                  dry_run: DryRun = False) -> FunctionRunPayload:
        ctx = info.context
        run = await ctx.platform.function_runs.cancel(await ctx.principal(), str(id), dry_run=dry_run)
        return FunctionRunPayload(dry_run=dry_run, valid=True, run=FunctionRun.from_row(run))
