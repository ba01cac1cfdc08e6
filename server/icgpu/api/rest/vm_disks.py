"""/api/v1/vm-disks: persistent VM disks (protocol mapping only, every rule is in services/vm_disks.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.api.rest.schemas import DryRun as DryRunShape
from icgpu.api.rest.schemas import Shape, one_of
from icgpu.db.tables_disks import VmDisk
from icgpu.services.validation import parse
from icgpu.services.vm_disks import DiskAttach, DiskCreate, DiskResize, DiskStatus

router = APIRouter(prefix="/api/v1/vm-disks", route_class=AuthedRoute, tags=["vm-disks"])


class Disk(Shape):
    id: str
    name: str
    size_gb: int
    status: str = one_of([s.value for s in DiskStatus])
    vm_id: str | None = Field(description="the VM it is attached to; null when available")
    team_id: str | None
    account_id: str
    attached_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class DiskList(Shape):
    vm_disks: list[Disk]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class DryRunDisk(DryRunShape):
    vm_disk: Disk


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def disk_json(d: VmDisk) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "size_gb": d.size_gb, "status": d.status, "vm_id": d.vm_id,
            "team_id": d.team_id, "account_id": d.account_id, "attached_at": _iso(d.attached_at),
            "created_at": d.created_at.isoformat(), "updated_at": d.updated_at.isoformat(),
            "deleted_at": _iso(d.deleted_at)}


@router.post("", **operation(Disk, status=201, body=DiskCreate, dry_run=DryRunDisk, summary="Create Disk"))
async def create_disk(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                      dry_run: DryRun) -> dict[str, Any]:
    data = parse(DiskCreate, await read_json(request))
    disk = await platform.vm_disks.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "vm_disk", disk_json(disk), f"/api/v1/vm-disks/{disk.id}")


@router.get("", **operation(DiskList, summary="List Disks"))
async def list_disks(
    platform: PlatformDep, principal: CurrentPrincipal, page: PageDep,
    vm_id: Annotated[str | None, Query(max_length=40, description="only the disks attached to this VM")] = None,
) -> Response | dict[str, Any]:
    result = await platform.vm_disks.list(principal, page, vm_id=vm_id)
    return ok(platform, {"vm_disks": [disk_json(d) for d in result.items], "nextToken": result.next_token})


@router.get("/{disk_id}", **operation(Disk, summary="Get Disk"))
async def get_disk(disk_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, disk_json(await platform.vm_disks.get(principal, disk_id)))


@router.post("/{disk_id}/attach", **operation(Disk, body=DiskAttach, dry_run=DryRunDisk, summary="Attach Disk"))
async def attach_disk(disk_id: str, request: Request, platform: PlatformDep, principal: CurrentPrincipal,
                      dry_run: DryRun) -> dict[str, Any]:
    data = parse(DiskAttach, await read_json(request))
    return written(dry_run, "vm_disk", disk_json(await platform.vm_disks.attach(principal, disk_id, data,
                                                                                dry_run=dry_run)))


@router.post("/{disk_id}/detach", **operation(Disk, dry_run=DryRunDisk, summary="Detach Disk"))
async def detach_disk(disk_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                      dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "vm_disk", disk_json(await platform.vm_disks.detach(principal, disk_id,
                                                                                dry_run=dry_run)))


@router.post("/{disk_id}/resize", **operation(Disk, body=DiskResize, dry_run=DryRunDisk, summary="Resize Disk"))
async def resize_disk(disk_id: str, request: Request, platform: PlatformDep, principal: CurrentPrincipal,
                      dry_run: DryRun) -> dict[str, Any]:
    data = parse(DiskResize, await read_json(request))
    return written(dry_run, "vm_disk", disk_json(await platform.vm_disks.resize(principal, disk_id, data,
                                                                                dry_run=dry_run)))


@router.delete("/{disk_id}", **operation(Disk, dry_run=DryRunDisk, summary="Delete Disk"))
async def delete_disk(disk_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                      dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "vm_disk", disk_json(await platform.vm_disks.delete(principal, disk_id,
                                                                                dry_run=dry_run)))
