"""/api/v1/functions and their runs: protocol mapping only, every rule is in the services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from icgpu.api.rest import function_schemas as shapes
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.db.tables_functions import FunctionRun, GpuFunction
from icgpu.services.function_runs import RunCreate, RunStatus
from icgpu.services.functions import FunctionCreate, FunctionUpdate
from icgpu.services.tiers import HOURLY_PRICE
from icgpu.services.validation import parse

router = APIRouter(prefix="/api/v1/functions", tags=["functions"], route_class=AuthedRoute)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def function_json(fn: GpuFunction) -> dict[str, Any]:
    return {
        "id": fn.id,
        "name": fn.name,
        "image": fn.image,
        "entrypoint": fn.entrypoint,
        "gpu_tier": fn.gpu_tier,
        "timeout_seconds": fn.timeout_seconds,
        "env_vars": dict(fn.env_vars),
        "secret_env_var_names": list(fn.secret_env_names),
        "team_id": fn.team_id,
        "status": fn.status,
        "price_per_hour": HOURLY_PRICE[fn.gpu_tier, "interactive"],
        "account_id": fn.account_id,
        "created_at": fn.created_at.isoformat(),
        "updated_at": fn.updated_at.isoformat(),
        "deleted_at": _iso(fn.deleted_at),
    }


def run_json(run: FunctionRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "function_id": run.function_id,
        "status": run.status,
        "status_reason": run.status_reason,
        "input": run.input,
        "output": run.output,
        "error": run.error,
        "logs": run.logs,
        "exit_code": run.exit_code,
        "gpu_tier": run.gpu_tier,
        "timeout_seconds": run.timeout_seconds,
        "price_per_hour": run.price_per_hour,
        "duration_seconds": run.duration_seconds,
        "cost": run.cost,
        "account_id": run.account_id,
        "team_id": run.team_id,
        "created_at": run.created_at.isoformat(),
        "updated_at": run.updated_at.isoformat(),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
    }


def run_location(run: FunctionRun) -> str:
    return f"/api/v1/functions/{run.function_id}/runs/{run.id}"


@router.post("", **operation(shapes.Function, status=201, body=FunctionCreate, dry_run=shapes.DryRunFunction,
                             summary="Create Function"))
async def create_function(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                          dry_run: DryRun) -> dict[str, Any]:
    data = parse(FunctionCreate, await read_json(request))
    fn = await platform.functions.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "function", function_json(fn), f"/api/v1/functions/{fn.id}")


@router.get("", **operation(shapes.FunctionList, summary="List Functions"))
async def list_functions(platform: PlatformDep, principal: CurrentPrincipal,
                         page: PageDep) -> Response | dict[str, Any]:
    result = await platform.functions.list(principal, page)
    return ok(platform, {"functions": [function_json(f) for f in result.items], "nextToken": result.next_token})


@router.get("/{function_id}", **operation(shapes.Function, summary="Get Function"))
async def get_function(function_id: str, platform: PlatformDep,
                       principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, function_json(await platform.functions.get(principal, function_id)))


@router.patch("/{function_id}", **operation(shapes.Function, body=FunctionUpdate, dry_run=shapes.DryRunFunction,
                                            summary="Update Function"))
async def update_function(function_id: str, request: Request, platform: PlatformDep, principal: CurrentPrincipal,
                          dry_run: DryRun) -> dict[str, Any]:
    data = parse(FunctionUpdate, await read_json(request))
    fn = await platform.functions.update(principal, function_id, data, dry_run=dry_run)
    return written(dry_run, "function", function_json(fn))


@router.delete("/{function_id}", **operation(shapes.Function, dry_run=shapes.DryRunFunction,
                                             summary="Delete Function"))
async def delete_function(function_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                          dry_run: DryRun) -> dict[str, Any]:
    fn = await platform.functions.delete(principal, function_id, dry_run=dry_run)
    return written(dry_run, "function", function_json(fn))


@router.post("/{function_id}/run", **operation(shapes.FunctionRun, status=202, body=RunCreate,
                                               dry_run=shapes.DryRunFunctionRun, summary="Run Function"))
async def run_function(function_id: str, request: Request, response: Response, platform: PlatformDep,
                       principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    raw = await read_json(request) if await request.body() else {}
    data = parse(RunCreate, raw)
    run = await platform.function_runs.start(principal, function_id, data, dry_run=dry_run)
    return created(response, dry_run, "run", run_json(run), run_location(run))


@router.get("/{function_id}/runs", **operation(shapes.FunctionRunList, summary="List Function Runs"))
async def list_runs(
    function_id: str, platform: PlatformDep, principal: CurrentPrincipal, page: PageDep,
    status: Annotated[RunStatus | None, Query(description="only runs in this status")] = None,
) -> Response | dict[str, Any]:
    result = await platform.function_runs.list(principal, function_id, page,
                                               status=status.value if status else None)
    return ok(platform, {"runs": [run_json(r) for r in result.items], "nextToken": result.next_token})


@router.get("/{function_id}/runs/{run_id}", **operation(shapes.FunctionRun, summary="Get Function Run"))
async def get_run(function_id: str, run_id: str, platform: PlatformDep,
                  principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, run_json(await platform.function_runs.get(principal, run_id, function_id)))


@router.post("/{function_id}/runs/{run_id}/cancel", **operation(shapes.FunctionRun, dry_run=shapes.DryRunFunctionRun,
                                                                summary="Cancel Function Run"))
async def cancel_run(function_id: str, run_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                     dry_run: DryRun) -> dict[str, Any]:
    run = await platform.function_runs.cancel(principal, run_id, function_id, dry_run=dry_run)
    return written(dry_run, "run", run_json(run))
