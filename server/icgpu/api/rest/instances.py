"""/api/v1/gpu-tiers and /api/v1/instances: protocol mapping only, every rule is in the service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from icgpu.api import rows
from icgpu.api.rest import schemas
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
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


# The columns an instance's JSON is made of, as named on the ORM object and on a list's rows.
FIELDS = ("id", "name", "tier", "workload_type", "storage_gb", "ssh_key", "ssh_key_group_id", "team_id", "status",
          "status_reason", "ssh_host", "ssh_port", "account_id", "created_at", "updated_at", "terminated_at",
          "auto_stop_after_minutes", "auto_stop_at")
_by_name = attrgetter(*FIELDS)


def _instance(id_: str, name: str, tier: str, workload_type: str, storage_gb: int, ssh_key: str | None,
              group: str | None, team_id: str | None, status: str, reason: str | None, ssh_host: str | None,
              ssh_port: int | None, account_id: str, created_at: datetime, updated_at: datetime,
              terminated_at: datetime | None, auto_stop_after_minutes: int | None,
              auto_stop_at: datetime | None) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "tier": tier,
        "workload_type": workload_type,
        "storage_gb": storage_gb,
        "ssh_key": ssh_key,
        "ssh_key_group": group,
        "team_id": team_id,
        "status": status,
        "status_reason": reason,
        "ssh_host": ssh_host,
        "ssh_port": ssh_port,
        "hourly_price": HOURLY_PRICE[tier, workload_type],
        "account_id": account_id,
        "created_at": created_at.isoformat(),
        "updated_at": updated_at.isoformat(),
        "terminated_at": terminated_at.isoformat() if terminated_at else None,
        "auto_stop_after_minutes": auto_stop_after_minutes,
        "auto_stop_at": auto_stop_at.isoformat() if auto_stop_at else None,
    }


def instance_json(inst: InstanceRecord) -> dict[str, Any]:
    return _instance(*_by_name(inst))


def instances_json(items: Sequence[InstanceRecord], *, by_position: bool) -> list[dict[str, Any]]:
    """``[instance_json(i) for i in items]``, reading a page of rows by position (api/rows.py)
    when ``by_position`` (a fast path: the reference reads them by name)."""
    get = rows.getter(items, FIELDS) if by_position else None
    if get is None:
        return [instance_json(i) for i in items]
    return [_instance(*get(row)) for row in items]


@public.get("/gpu-tiers", **operation(schemas.TierList))
async def list_tiers(platform: PlatformDep) -> Response | dict[str, Any]:
    return ok(platform, {"tiers": [tier_json(entry) for entry in await platform.tiers.list()]})


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
) -> Response | dict[str, Any]:
    result = await platform.instances.list(principal, page, status=status.value if status else None)
    return ok(platform, {"instances": instances_json(result.items, by_position=platform.settings.fast_paths),
                         "nextToken": result.next_token})


@router.get("/{instance_id}", **operation(schemas.Instance))
async def get_instance(instance_id: str, platform: PlatformDep,
                       principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, instance_json(await platform.instances.get(principal, instance_id)))


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
