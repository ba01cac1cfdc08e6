"""Persistent VM disks: create, list, get, attach to a VM, detach, resize (grow only), delete.

A disk's size counts in its tenant's storage quota (services/quotas.py, shared with instance disks
and VM boot disks) from creation until deletion; a resize takes the difference, in the same
transaction. A disk is attached to at most one VM, of its tenant, that the caller may change.

    available --attach--> attached --detach--> available
    available --delete--> deleted       (attached: 409 DiskAttached; detach first)

A VM's termination detaches its disks (``detach_vm_disks``, called in the VM's delete; a disk whose
VM is found terminated is detached on its next write as well, so none stays bound to a gone VM).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import Vm
from icgpu.errors import Conflict, NotFound, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.services import access, quotas
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.validation import NAME_RE, Input, resource_name
from icgpu.settings import Settings

SCOPE = "vms"
PREFIX = "disk"
MAX_DISK_GB = 65536
VM_GONE = "terminated"


class DiskStatus(StrEnum):
    AVAILABLE = "available"
    ATTACHED = "attached"
    DELETED = "deleted"




def _size(description: str) -> Any:
    return Field(ge=1, le=MAX_DISK_GB, strict=True, description=description)


class DiskCreate(Input):
    """A new disk (REST body and GraphQL input alike)."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    size_gb: int = _size("size in GB; counts in the tenant's storage quota")
    team_id: str | None = Field(default=None, max_length=40, description="share with this team")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)


class DiskAttach(Input):
    vm_id: str = Field(min_length=1, max_length=40, description="a VM of your tenant that you may change")


class DiskResize(Input):
    size_gb: int = _size("the new size in GB: at least the current size (disks only grow)")


def snapshot(d: VmDisk) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "size_gb": d.size_gb, "status": d.status, "vm_id": d.vm_id,
            "team_id": d.team_id}


def _record(s: AsyncSession, d: VmDisk, event: str, **extra: Any) -> None:
    outbox.record(s, f"vm_disk.{event}", tenant_id=d.tenant_id, account_id=d.account_id, team_id=d.team_id,
                  resource_type="vm_disk", resource_id=d.id, data={**snapshot(d), **extra})


def _detach(s: AsyncSession, d: VmDisk, reason: str) -> None:
    vm_id = d.vm_id
    d.status = DiskStatus.AVAILABLE.value
    d.vm_id = None
    d.attached_at = None
    d.updated_at = utcnow()
    _record(s, d, "detached", previous_vm_id=vm_id, reason=reason)


async def detach_vm_disks(s: AsyncSession, vm_id: str, reason: str = "VM terminated") -> int:
    """Detach every disk attached to ``vm_id`` (in the caller's transaction: the VM's delete)."""
    disks = (await s.scalars(select(VmDisk).where(VmDisk.vm_id == vm_id,
                                                  VmDisk.status == DiskStatus.ATTACHED.value))).all()
    for d in disks:
        _detach(s, d, reason)
    return len(disks)


class VmDiskService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals

    # -- reads -----------------------------------------------------------------------------------

    async def get_many(self, principal: Principal, ids: Sequence[str]) -> list[VmDisk | None]:
        wanted = [i for i in ids if well_formed(i, PREFIX)]
        async with self.db.read() as s:
            rows = (await s.scalars(select(VmDisk).where(VmDisk.id.in_(wanted)))).all() if wanted else []
            found = {r.id: r for r in rows if await access.can_see(s, principal, r)}
        return [found.get(i) for i in ids]

    async def list(self, principal: Principal, page: PageRequest, *, vm_id: str | None = None) -> Page[VmDisk]:
        """Live disks the caller can see (their own and their teams'), oldest first; ``vm_id``
        narrows to the disks attached to that VM."""
        principal.require(SCOPE, "read")
        stmt = select(VmDisk).where(access.visible(principal, VmDisk), VmDisk.status != DiskStatus.DELETED.value)
        if vm_id is not None:
            stmt = stmt.where(VmDisk.vm_id == vm_id)
        scope = f"vm_disks:{principal.account_id}:{vm_id or '*'}"
        async with self.db.read() as s:
            return await self.pages.fetch(s, stmt, page, scope=scope, model=VmDisk)

    async def get(self, principal: Principal, disk_id: str) -> VmDisk:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            disk: VmDisk = await access.load_visible(s, principal, VmDisk, disk_id, PREFIX, "disk")
        return disk

    # -- writes ----------------------------------------------------------------------------------

    async def create(self, principal: Principal, data: DiskCreate, *, dry_run: bool = False) -> VmDisk:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            await access.check_share_team(s, principal, data.team_id)
            await self._check_name_free(s, principal, data.name)
            await quotas.reserve_storage(s, self.settings, principal.tenant_id, data.size_gb)
            now = utcnow()
            disk = VmDisk(id=new_id(PREFIX), tenant_id=principal.tenant_id, account_id=principal.account_id,
                          team_id=data.team_id, name=data.name, size_gb=data.size_gb,
                          status=DiskStatus.AVAILABLE.value, created_at=now, updated_at=now)
            s.add(disk)
            _record(s, disk, "created")
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return disk

    async def attach(self, principal: Principal, disk_id: str, data: DiskAttach, *,
                     dry_run: bool = False) -> VmDisk:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            disk = await self._load_for_update(s, principal, disk_id)
            if disk.status == DiskStatus.ATTACHED.value:
                raise Conflict(f"disk {disk.id} is attached to VM {disk.vm_id}; detach it first",
                               code="DiskAlreadyAttached")
            vm = await self._load_vm(s, principal, data.vm_id)
            disk.status = DiskStatus.ATTACHED.value
            disk.vm_id = vm.id
            disk.attached_at = disk.updated_at = utcnow()
            _record(s, disk, "attached")
        self._changed(dry_run)
        return disk

    async def detach(self, principal: Principal, disk_id: str, *, dry_run: bool = False) -> VmDisk:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            disk = await self._load_for_update(s, principal, disk_id)
            if disk.status != DiskStatus.ATTACHED.value:
                raise Conflict(f"disk {disk.id} is not attached to a VM", code="DiskNotAttached")
            _detach(s, disk, "detach requested")
        self._changed(dry_run)
        return disk

    async def resize(self, principal: Principal, disk_id: str, data: DiskResize, *,
                     dry_run: bool = False) -> VmDisk:
        """Grow to ``size_gb`` (the same size is a no-op); the difference counts in the quota."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            disk = await self._load_for_update(s, principal, disk_id)
            if data.size_gb < disk.size_gb:
                raise ValidationError(f"size_gb: disks only grow: {disk.id} has {disk.size_gb} GB, "
                                      f"{data.size_gb} GB would shrink it", field="size_gb",
                                      code="ShrinkNotAllowed")
            if data.size_gb > disk.size_gb:
                await quotas.reserve_storage(s, self.settings, disk.tenant_id, data.size_gb - disk.size_gb)
                previous = disk.size_gb
                disk.size_gb = data.size_gb
                disk.updated_at = utcnow()
                _record(s, disk, "resized", previous_size_gb=previous)
        self._changed(dry_run)
        return disk

    async def delete(self, principal: Principal, disk_id: str, *, dry_run: bool = False) -> VmDisk:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            disk = await self._load_for_update(s, principal, disk_id)
            if disk.status == DiskStatus.ATTACHED.value:
                raise Conflict(f"disk {disk.id} is attached to VM {disk.vm_id}; detach it before deleting it",
                               code="DiskAttached")
            disk.status = DiskStatus.DELETED.value
            disk.deleted_at = disk.updated_at = utcnow()
            await quotas.release_storage(s, disk.tenant_id, disk.size_gb)
            _record(s, disk, "deleted")
        self._changed(dry_run)
        return disk

    # -- helpers ---------------------------------------------------------------------------------

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()

    async def _load_for_update(self, s: AsyncSession, principal: Principal, disk_id: str) -> VmDisk:
        """The live disk, locked, if the caller may change it (404 hidden, 403 only seen, 409 deleted).
        A disk still bound to a VM that is gone is detached first."""
        disk: VmDisk = await access.load_visible(s, principal, VmDisk, disk_id, PREFIX, "disk", for_update=True)
        await access.require_manage(s, principal, disk, "disk")
        if disk.status == DiskStatus.DELETED.value:
            raise Conflict(f"disk {disk.id} is deleted", code="InvalidStateTransition")
        if disk.status == DiskStatus.ATTACHED.value and disk.vm_id is not None:
            vm_status = await s.scalar(select(Vm.status).where(Vm.id == disk.vm_id))
            if vm_status is None or vm_status == VM_GONE:
                _detach(s, disk, "VM terminated")
        return disk

    async def _load_vm(self, s: AsyncSession, principal: Principal, vm_id: str) -> Vm:
        """The VM to attach to: the caller's tenant's, visible to them, theirs to change, not terminated."""
        try:
            vm: Vm = await access.load_visible(s, principal, Vm, vm_id, "vm", "VM", for_update=True)
        except NotFound:
            raise ValidationError(f"vm_id: unknown VM '{vm_id}'", field="vm_id") from None
        await access.require_manage(s, principal, vm, "VM")
        if vm.status == VM_GONE:
            raise Conflict(f"VM {vm.id} is terminated; a disk cannot be attached to it",
                           code="InvalidStateTransition")
        return vm


    async def _check_name_free(self, s: AsyncSession, principal: Principal, name: str) -> None:
        taken = await s.scalar(select(VmDisk.id).where(VmDisk.account_id == principal.account_id,
                                                       VmDisk.name == name,
                                                       VmDisk.status != DiskStatus.DELETED.value))
        if taken:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(f"a disk named '{name}' already exists", code="ResourceAlreadyExists")
