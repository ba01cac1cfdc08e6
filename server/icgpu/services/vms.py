"""Virtual machines: creation from a template with the storage quota, the user-driven state changes
(start, stop, reboot, delete, auto-stop) and reads.

The VM reconciler (workers/vm_reconciler.py) moves VMs through the cluster-driven states; both
sides change status only through ``move`` so every change is checked and emits its event.
Request bodies use the documented camelCase names (``templateId``, ``memoryGb``, ...); the
snake_case equivalents are accepted too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Self

from pydantic import ConfigDict, Field, field_validator, model_validator
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import SshKeyGroup
from icgpu.db.tables_vms import Vm, VmNetworkAttachment
from icgpu.errors import Conflict, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.services import access, quotas, vm_disks
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.ssh_material import parse_public_key
from icgpu.services.tiers import TIERS
from icgpu.services.validation import NAME_RE, Input, model_error, resource_name
from icgpu.services.vm_states import (
    ACTIVE,
    CAN_REBOOT,
    CAN_START,
    CAN_STOP,
    EVENT_FOR,
    WANTS_RUNNING,
    VmStatus,
    can_move,
)
from icgpu.services.vm_templates import TEMPLATES
from icgpu.settings import Settings

SCOPE = "vms"
MAX_AUTO_STOP_MINUTES = 7 * 24 * 60


def _alias(name: str, **kwargs: Any) -> Any:
    return Field(alias=name, **kwargs)


class CamelInput(Input):
    """An input whose documented names are camelCase; snake_case equivalents are accepted too."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_by_name=True,
                              validate_by_alias=True)


class VmCreate(CamelInput):
    """What a caller may send to create a VM (REST body and GraphQL input alike). ``cpu``,
    ``memoryGb`` and ``diskGb`` default to the template's, and may not exceed its maxima."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    template_id: str = _alias("templateId", max_length=40, json_schema_extra={"enum": list(TEMPLATES)})
    cpu: int | None = Field(default=None, ge=1, strict=True)
    memory_gb: int | None = _alias("memoryGb", default=None, ge=1, strict=True)
    disk_gb: int | None = _alias("diskGb", default=None, ge=1, strict=True)
    ssh_key: str | None = _alias("sshKey", default=None, max_length=16384)
    ssh_key_group: str | None = _alias("sshKeyGroup", default=None, max_length=40,
                                       description="grants every key in the group")
    gpu_tier: str | None = _alias("gpuTier", default=None, json_schema_extra={"enum": list(TIERS)},
                                  description="overrides the template's GPU tier (GPU templates only)")
    team_id: str | None = _alias("teamId", default=None, max_length=40, description="share with this team")
    auto_stop_after_minutes: int | None = _alias(
        "autoStopAfterMinutes", default=None, ge=1, le=MAX_AUTO_STOP_MINUTES, strict=True,
        description="stop the VM this many minutes after it starts running (server-enforced)")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("template_id")
    @classmethod
    def _template(cls, v: str) -> str:
        if v not in TEMPLATES:
            raise ValueError(f"unknown template '{v}'; choose one of: {', '.join(TEMPLATES)}")
        return v

    @field_validator("gpu_tier")
    @classmethod
    def _tier(cls, v: str | None) -> str | None:
        if v is not None and v not in TIERS:
            raise ValueError(f"unknown tier '{v}'; choose one of: {', '.join(TIERS)}")
        return v

    @field_validator("ssh_key")
    @classmethod
    def _ssh_key(cls, v: str | None) -> str | None:
        return parse_public_key(v, field="sshKey").public_key if v is not None else None

    @model_validator(mode="after")
    def _sizes(self) -> Self:
        tpl = TEMPLATES[self.template_id]
        if self.ssh_key is None and self.ssh_key_group is None:
            raise model_error("sshKey", "give sshKey or sshKeyGroup (the keys that may log in)")
        if self.gpu_tier is not None and not tpl.gpu:
            raise model_error("gpuTier", f"template {tpl.id} is CPU-only; choose a GPU template")
        for field, value, low, high in (
            ("cpu", self.cpu, 1, tpl.max_cpu),
            ("memoryGb", self.memory_gb, 1, tpl.max_memory_gb),
            ("diskGb", self.disk_gb, tpl.min_disk_gb, tpl.max_disk_gb),
        ):
            if value is not None and not low <= value <= high:
                raise model_error(field, f"must be between {low} and {high} for template {tpl.id} "
                                         f"(got {value})")
        self.cpu = self.cpu if self.cpu is not None else tpl.default_cpu
        self.memory_gb = self.memory_gb if self.memory_gb is not None else tpl.default_memory_gb
        self.disk_gb = self.disk_gb if self.disk_gb is not None else tpl.default_disk_gb
        if tpl.gpu and self.gpu_tier is None:
            self.gpu_tier = tpl.gpu_tier
        return self


class VmUpdate(CamelInput):
    """What may change in place: the name and the auto-stop time (null turns it off)."""

    name: str | None = Field(default=None, min_length=1, max_length=63,
                             json_schema_extra={"pattern": NAME_RE.pattern})
    auto_stop_after_minutes: int | None = _alias("autoStopAfterMinutes", default=None, ge=1,
                                                 le=MAX_AUTO_STOP_MINUTES, strict=True)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return resource_name(v) if v is not None else None


def parse_status(value: str) -> VmStatus:
    try:
        return VmStatus(value)
    except ValueError:
        raise ValidationError(f"status: unknown status '{value}'; choose one of: "
                              f"{', '.join(s.value for s in VmStatus)}", field="status") from None


def snapshot(vm: Vm) -> dict[str, Any]:
    return {
        "id": vm.id,
        "name": vm.name,
        "template_id": vm.template_id,
        "gpu_tier": vm.gpu_tier,
        "cpu": vm.cpu,
        "memory_gb": vm.memory_gb,
        "disk_gb": vm.disk_gb,
        "status": vm.status,
        "status_reason": vm.status_reason,
        "team_id": vm.team_id,
        "auto_stop_after_minutes": vm.auto_stop_after_minutes,
    }


MINUTE = timedelta(minutes=1)


def minute_of(settings: Settings) -> timedelta:
    """One minute of ``autoStopAfterMinutes`` (``ICGPU_AUTO_STOP_MINUTE_SECONDS``; tests shorten it)."""
    return timedelta(seconds=float(getattr(settings, "auto_stop_minute_seconds", 60.0)))


def move(session: AsyncSession, vm: Vm, target: VmStatus, *, reason: str | None = None,
         event_type: str | None = None, minute: timedelta = MINUTE) -> None:
    """Change status in the caller's transaction and write the matching event. Entering
    ``running`` (but not from a reboot) sets the auto-stop deadline; leaving it clears it."""
    previous = vm.status
    if not can_move(previous, target):
        raise Conflict(f"VM {vm.id} is {previous}; it cannot become {target.value}", code="InvalidStateTransition")
    now = utcnow()
    vm.status = target.value
    vm.status_reason = reason
    vm.updated_at = now
    if target not in (VmStatus.RUNNING, VmStatus.REBOOTING, VmStatus.PROVISIONING):
        vm.ssh_host = None
        vm.ssh_port = None
    if target is VmStatus.RUNNING and previous != VmStatus.REBOOTING.value:
        vm.auto_stop_at = now + minute * vm.auto_stop_after_minutes if vm.auto_stop_after_minutes else None
    elif target not in (VmStatus.RUNNING, VmStatus.REBOOTING):
        vm.auto_stop_at = None
    if target is VmStatus.TERMINATED:
        vm.terminated_at = now
    outbox.record(session, event_type or EVENT_FOR[target], tenant_id=vm.tenant_id, account_id=vm.account_id,
                  team_id=vm.team_id, resource_type="vm", resource_id=vm.id,
                  data={**snapshot(vm), "previous_status": previous})


async def _gpu_usage(s: AsyncSession, tenant_id: str) -> int:
    held = [st.value for st in (*WANTS_RUNNING, VmStatus.STOPPING)]
    return int(await s.scalar(select(func.count()).select_from(Vm).where(
        Vm.tenant_id == tenant_id, Vm.gpu_tier.is_not(None), Vm.status.in_(held))) or 0)


quotas.register_gpu_usage("vms", _gpu_usage)


class VmService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals

    # -- reads -----------------------------------------------------------------------------------

    async def get_many(self, principal: Principal, ids: Sequence[str]) -> list[Vm | None]:
        wanted = [i for i in ids if well_formed(i, "vm")]
        async with self.db.read() as s:
            rows = (await s.scalars(select(Vm).where(Vm.id.in_(wanted)))).all() if wanted else []
            found = {r.id: r for r in rows if await access.can_see(s, principal, r)}
        return [found.get(i) for i in ids]

    async def list(self, principal: Principal, page: PageRequest, *, status: str | None = None) -> Page[Vm]:
        """Live VMs the caller can see (own and shared with a team); ``status`` narrows to one
        state (``terminated`` included)."""
        principal.require(SCOPE, "read")
        wanted = Vm.status != VmStatus.TERMINATED.value if status is None else Vm.status == parse_status(status).value
        scope = f"vms:{principal.account_id}:{status or '*'}"
        async with self.db.read() as s:
            stmt = select(Vm).where(access.visible(principal, Vm), wanted)
            return await self.pages.fetch(s, stmt, page, scope=scope, model=Vm)

    async def get(self, principal: Principal, vm_id: str) -> Vm:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            vm: Vm = await access.load_visible(s, principal, Vm, vm_id, "vm", "VM")
        return vm

    # -- writes ----------------------------------------------------------------------------------

    async def create(self, principal: Principal, data: VmCreate, *, dry_run: bool = False) -> Vm:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            await self._check_references(s, principal, data)
            await self._check_name_free(s, principal, data.name)
            assert data.cpu is not None and data.memory_gb is not None and data.disk_gb is not None
            if data.gpu_tier is not None:
                await quotas.check_gpus(s, self.settings, principal.tenant_id, 1)
            await quotas.reserve_storage(s, self.settings, principal.tenant_id, data.disk_gb)
            now = utcnow()
            vm = Vm(
                id=new_id("vm"), tenant_id=principal.tenant_id, account_id=principal.account_id, name=data.name,
                template_id=data.template_id, cpu=data.cpu, memory_gb=data.memory_gb, disk_gb=data.disk_gb,
                gpu_tier=data.gpu_tier, ssh_key=data.ssh_key, ssh_key_group_id=data.ssh_key_group,
                team_id=data.team_id, status=VmStatus.PENDING.value,
                auto_stop_after_minutes=data.auto_stop_after_minutes, created_at=now, updated_at=now,
            )
            s.add(vm)
            outbox.record(s, "vm.created", tenant_id=vm.tenant_id, account_id=vm.account_id, team_id=vm.team_id,
                          resource_type="vm", resource_id=vm.id, data={**snapshot(vm), "previous_status": None})
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return vm

    async def update(self, principal: Principal, vm_id: str, data: VmUpdate, *, dry_run: bool = False) -> Vm:
        """Rename, or change the auto-stop time (a running VM's deadline counts from now)."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            vm = await self.load_for_update(s, principal, vm_id)
            if vm.status == VmStatus.TERMINATED.value:
                raise Conflict(f"VM {vm.id} is terminated; it cannot be changed", code="InvalidStateTransition")
            changed = False
            if data.name is not None and data.name != vm.name:
                await self._check_name_free(s, principal, data.name, owner=vm.account_id)
                vm.name = data.name
                changed = True
            if "auto_stop_after_minutes" in data.model_fields_set \
                    and data.auto_stop_after_minutes != vm.auto_stop_after_minutes:
                vm.auto_stop_after_minutes = data.auto_stop_after_minutes
                if vm.status in (VmStatus.RUNNING.value, VmStatus.REBOOTING.value):
                    vm.auto_stop_at = utcnow() + minute_of(self.settings) * vm.auto_stop_after_minutes \
                        if vm.auto_stop_after_minutes else None
                changed = True
            if changed:
                vm.updated_at = utcnow()
                outbox.record(s, "vm.updated", tenant_id=vm.tenant_id, account_id=vm.account_id,
                              team_id=vm.team_id, resource_type="vm", resource_id=vm.id,
                              data={**snapshot(vm), "previous_status": vm.status})
                try:
                    await s.flush()
                except IntegrityError:
                    raise self._name_taken(vm.name) from None
        self._changed(dry_run)
        return vm

    async def start(self, principal: Principal, vm_id: str, *, dry_run: bool = False) -> Vm:
        return await self._act(principal, vm_id, VmStatus.PENDING, "start", CAN_START, dry_run)

    async def stop(self, principal: Principal, vm_id: str, *, dry_run: bool = False) -> Vm:
        return await self._act(principal, vm_id, VmStatus.STOPPING, "stop", CAN_STOP, dry_run)

    async def reboot(self, principal: Principal, vm_id: str, *, dry_run: bool = False) -> Vm:
        return await self._act(principal, vm_id, VmStatus.REBOOTING, "reboot", CAN_REBOOT, dry_run)

    async def delete(self, principal: Principal, vm_id: str, *, dry_run: bool = False) -> Vm:
        """Terminate: the boot disk's storage goes back to the quota, its disks are detached (they
        outlive it) and the VM leaves its networks."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            vm = await self.load_for_update(s, principal, vm_id)
            move(s, vm, VmStatus.TERMINATED)
            await quotas.release_storage(s, vm.tenant_id, vm.disk_gb)
            await vm_disks.detach_vm_disks(s, vm.id)
            for att in (await s.scalars(select(VmNetworkAttachment).where(VmNetworkAttachment.vm_id == vm.id))).all():
                await s.delete(att)
        self._changed(dry_run)
        return vm

    # -- helpers ---------------------------------------------------------------------------------

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()

    async def _act(self, principal: Principal, vm_id: str, target: VmStatus, verb: str, allowed: tuple[str, ...],
                   dry_run: bool) -> Vm:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            vm = await self.load_for_update(s, principal, vm_id)
            if vm.status not in allowed:
                raise Conflict(f"cannot {verb} VM {vm.id}: it is {vm.status} (it must be {' or '.join(allowed)})",
                               code="InvalidStateTransition")
            if target is VmStatus.PENDING and vm.gpu_tier is not None:
                await quotas.check_gpus(s, self.settings, vm.tenant_id, 1)
            move(s, vm, target, reason=f"{verb} requested")
        self._changed(dry_run)
        return vm

    async def load_for_update(self, s: AsyncSession, principal: Principal, vm_id: str) -> Vm:
        """The VM, locked, if the caller may change it (404 when hidden, 403 when only seen).
        Other families (disks, networks) use it for their VM-scoped writes."""
        vm: Vm = await access.load_visible(s, principal, Vm, vm_id, "vm", "VM", for_update=True)
        await access.require_manage(s, principal, vm, "VM")
        return vm

    async def _check_references(self, s: AsyncSession, principal: Principal, data: VmCreate) -> None:
        if data.ssh_key_group is not None:
            group = await s.get(SshKeyGroup, data.ssh_key_group) if well_formed(data.ssh_key_group, "grp") else None
            if group is None or group.tenant_id != principal.tenant_id or group.account_id != principal.account_id:
                raise ValidationError(f"sshKeyGroup: unknown SSH key group '{data.ssh_key_group}'",
                                      field="sshKeyGroup")
        await access.check_share_team(s, principal, data.team_id, field="teamId")

    async def _check_name_free(self, s: AsyncSession, principal: Principal, name: str,
                               owner: str | None = None) -> None:
        taken = await s.scalar(select(Vm.id).where(
            and_(Vm.account_id == (owner or principal.account_id), Vm.name == name,
                 Vm.status != VmStatus.TERMINATED.value)))
        if taken:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(f"a VM named '{name}' already exists", code="ResourceAlreadyExists")


__all__ = ["ACTIVE", "VmCreate", "VmService", "VmStatus", "VmUpdate", "move"]
