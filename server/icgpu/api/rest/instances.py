"""/api/v1/gpu-tiers and /api/v1/instances: protocol mapping only, every rule is in the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from icgpu.api.rest import schemas
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.route import AuthedRoute, CheckedRoute
from icgpu.services.instance_states import Status
from icgpu.services.instances import InstanceCreate, InstanceRecord, InstanceUpdate
from icgpu.services.tiers import BATCH_DISCOUNT, HOURLY_PRICE, TierAvailability
from icgpu.services.validation import parse

public = APIRouter(prefix="/api/v1", tags=["gpu-tiers"], route_class=CheckedRoute)
router = APIRouter(prefix="/api/v1/instances", tags=["instances"], route_class=AuthedRoute)


def tier_json(entry: TierAvailability) -> dict[str, Any]:
    tier = entry.tier
    return {
        "id": tier.id,
        "name": tier.name,
        "isolation": tier.isolation,
        "description": tier.description,
        "gpu_memory_gb": tier.gpu_memory_gb,
        "price_per_hour": float(tier.price_per_hour),
        "batch_price_per_hour": float(tier.batch_price_per_hour),
        "batch_discount_percent": int(BATCH_DISCOUNT * 100),
        "capacity": entry.capacity,
        "available": entry.available,
    }


def instance_json(inst: InstanceRecord) -> dict[str, Any]:
    return {
        "id": inst.id,
        "name": inst.name,
        "tier": inst.tier,
        "workload_type": inst.workload_type,
        "storage_gb": inst.storage_gb,
        "ssh_key": inst.ssh_key,
        "ssh_key_group": inst.ssh_key_group_id,
        "team_id": inst.team_id,
        "status": inst.status,
        "status_reason": inst.status_reason,
        "ssh_host": inst.ssh_host,
        "ssh_port": inst.ssh_port,
        "hourly_price": HOURLY_PRICE[inst.tier, inst.workload_type],
        "account_id": inst.account_id,
        "created_at": inst.created_at.isoformat(),
        "updated_at": inst.updated_at.isoformat(),
        "terminated_at": inst.terminated_at.isoformat() if inst.terminated_at else None,
    }


@public.get("/gpu-tiers", **operation(schemas.TierList))
async def list_tiers(platform: PlatformDep) -> dict[str, Any]:
    return {"tiers": [tier_json(entry) for entry in await platform.tiers.list()]}


@router.post("", **operation(schemas.Instance, status=201, body=InstanceCreate,
                             dry_run=schemas.DryRunInstance))
async def create_instance(
    request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal, dry_run: DryRun,
) -> dict[str, Any]:
    data = parse(InstanceCreate, await read_json(request))
    inst = await platform.instances.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "instance", instance_json(inst), f"/api/v1/instances/{inst.id}")


@router.get("", **operation(schemas.InstanceList))
async def list_instances(
    platform: PlatformDep, principal: CurrentPrincipal, page: PageDep,
    status: Annotated[Status | None, Query(description="only instances in this status (terminated included)")] = None,
) -> dict[str, Any]:
    result = await platform.instances.list(principal, page, status=status.value if status else None)
    return {"instances": [instance_json(i) for i in result.items], "nextToken": result.next_token}


@router.get("/{instance_id}", **operation(schemas.Instance))
async def get_instance(instance_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return instance_json(await platform.instances.get(principal, instance_id))


@router.patch("/{instance_id}", **operation(schemas.Instance, body=InstanceUpdate,
                                            dry_run=schemas.DryRunInstance, summary="Rename Instance"))
async def update_instance(instance_id: str, request: Request, platform: PlatformDep, principal: CurrentPrincipal,
                          dry_run: DryRun) -> dict[str, Any]:
    data = parse(InstanceUpdate, await read_json(request))
    inst = await platform.instances.update(principal, instance_id, data, dry_run=dry_run)
    return written(dry_run, "instance", instance_json(inst))


@router.post("/{instance_id}/start", **operation(schemas.Instance, dry_run=schemas.DryRunInstance))
async def start_instance(instance_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                         dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "instance", instance_json(await platform.instances.start(principal, instance_id,
                                                                                      dry_run=dry_run)))


@router.post("/{instance_id}/stop", **operation(schemas.Instance, dry_run=schemas.DryRunInstance))
async def stop_instance(instance_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                        dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "instance", instance_json(await platform.instances.stop(principal, instance_id,
                                                                                     dry_run=dry_run)))


@router.post("/{instance_id}/requeue", **operation(schemas.Instance, dry_run=schemas.DryRunInstance))
async def requeue_instance(instance_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                           dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "instance", instance_json(await platform.instances.requeue(principal, instance_id,
                                                                                        dry_run=dry_run)))


@router.delete("/{instance_id}", **operation(schemas.Instance, dry_run=schemas.DryRunInstance))
async def delete_instance(instance_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                          dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "instance", instance_json(await platform.instances.delete(principal, instance_id,
                                                                                       dry_run=dry_run)))
