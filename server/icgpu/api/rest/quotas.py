"""/api/v1/quotas: the caller's tenant's limits, what is used and what is left (protocol mapping only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field

from icgpu.api.rest.deps import CurrentPrincipal, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.api.rest.schemas import Shape
from icgpu.services.quotas import Usage

router = APIRouter(prefix="/api/v1", route_class=AuthedRoute, tags=["quotas"])


class StorageQuota(Shape):
    limit_gb: int = Field(description="the tenant's storage quota: instance disks, VM boot disks and VM disks")
    used_gb: int
    remaining_gb: int


class GpuQuota(Shape):
    limit: int = Field(description="GPUs the tenant's live workloads may hold at once (one per slot of any tier)")
    used: int
    remaining: int
    by_family: dict[str, int] = Field(description="GPUs held per workload family (instances, vms, ...)")


class Quotas(Shape):
    storage: StorageQuota
    gpus: GpuQuota


def quotas_json(u: Usage) -> dict[str, Any]:
    return {
        "storage": {"limit_gb": u.storage_limit_gb, "used_gb": u.storage_used_gb,
                    "remaining_gb": u.storage_remaining_gb},
        "gpus": {"limit": u.gpu_limit, "used": u.gpus_used, "remaining": u.gpus_remaining,
                 "by_family": dict(u.gpus_by_family)},
    }


@router.get("/quotas", **operation(Quotas, never=(403,), summary="Tenant Quotas"))
async def get_quotas(platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, quotas_json(await platform.quotas.view(principal)))
