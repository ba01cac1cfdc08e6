"""/api/v1/slurm-environments: protocol mapping only, every rule is in services/slurm.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.api.rest.schemas import TIER_IDS, Shape, one_of
from icgpu.api.rest.schemas import DryRun as DryRunShape
from icgpu.db.tables_slurm import SlurmEnvironment as SlurmEnvironmentRow
from icgpu.services.slurm import SlurmEnvironmentCreate, SlurmStatus
from icgpu.services.tiers import HOURLY_PRICE
from icgpu.services.validation import parse

router = APIRouter(prefix="/api/v1/slurm-environments", tags=["slurm-environments"], route_class=AuthedRoute)
PATH = "/api/v1/slurm-environments"


# -- documented shapes (OpenAPI only; handlers build plain dicts) -------------------------------------

class SlurmEnvironment(Shape):
    id: str
    name: str
    max_nodes: int
    gpu_per_node: int
    gpu_tier: str = one_of(TIER_IDS)
    total_gpus: int = Field(description="max_nodes x gpu_per_node: the GPUs the environment reserves")
    gpus_placed: int = Field(description="GPUs placed on the inventory so far")
    team_id: str | None
    status: str = one_of(tuple(s.value for s in SlurmStatus))
    status_reason: str | None
    ssh_host: str | None = Field(description="the head node's SSH host, once ready")
    ssh_port: int | None
    ssh_user: str | None
    hourly_price: float = Field(description="the tier's hourly price times total_gpus")
    account_id: str
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None


class SlurmEnvironmentList(Shape):
    slurm_environments: list[SlurmEnvironment]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class DryRunSlurmEnvironment(DryRunShape):
    slurm_environment: SlurmEnvironment


def slurm_json(env: SlurmEnvironmentRow) -> dict[str, Any]:
    total = env.max_nodes * env.gpu_per_node
    return {
        "id": env.id,
        "name": env.name,
        "max_nodes": env.max_nodes,
        "gpu_per_node": env.gpu_per_node,
        "gpu_tier": env.gpu_tier,
        "total_gpus": total,
        "gpus_placed": env.gpus_placed,
        "team_id": env.team_id,
        "status": env.status,
        "status_reason": env.status_reason,
        "ssh_host": env.ssh_host,
        "ssh_port": env.ssh_port,
        "ssh_user": env.ssh_user,
        "hourly_price": round(HOURLY_PRICE[env.gpu_tier, "interactive"] * total, 4),
        "account_id": env.account_id,
        "created_at": env.created_at.isoformat(),
        "updated_at": env.updated_at.isoformat(),
        "terminated_at": env.terminated_at.isoformat() if env.terminated_at else None,
    }


@router.post("", **operation(SlurmEnvironment, status=201, body=SlurmEnvironmentCreate,
                             dry_run=DryRunSlurmEnvironment, summary="Create Slurm Environment"))
async def create_slurm_environment(request: Request, response: Response, platform: PlatformDep,
                                   principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(SlurmEnvironmentCreate, await read_json(request))
    env = await platform.slurm.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "slurm_environment", slurm_json(env), f"{PATH}/{env.id}")


@router.get("", **operation(SlurmEnvironmentList, summary="List Slurm Environments"))
async def list_slurm_environments(platform: PlatformDep, principal: CurrentPrincipal,
                                  page: PageDep) -> Response | dict[str, Any]:
    result = await platform.slurm.list(principal, page)
    return ok(platform, {"slurm_environments": [slurm_json(e) for e in result.items],
                         "nextToken": result.next_token})


@router.get("/{environment_id}", **operation(SlurmEnvironment, summary="Get Slurm Environment"))
async def get_slurm_environment(environment_id: str, platform: PlatformDep,
                                principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, slurm_json(await platform.slurm.get(principal, environment_id)))


@router.delete("/{environment_id}", **operation(SlurmEnvironment, dry_run=DryRunSlurmEnvironment,
                                                summary="Delete Slurm Environment"))
async def delete_slurm_environment(environment_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                                   dry_run: DryRun) -> dict[str, Any]:
    env = await platform.slurm.delete(principal, environment_id, dry_run=dry_run)
    return written(dry_run, "slurm_environment", slurm_json(env))
