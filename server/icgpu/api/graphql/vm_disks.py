"""GraphQL queries and mutations for persistent VM disks (the rules are in services/vm_disks.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.payloads import DryRun, MutationPayload
from icgpu.db.tables_disks import VmDisk as VmDiskRow
from icgpu.services.pagination import PageRequest
from icgpu.services.vm_disks import DiskAttach, DiskCreate, DiskResize, DiskStatus

READ = [requires("vms", "read")]
WRITE = [requires("vms", "write")]

VmDiskStatus = strawberry.enum(DiskStatus, name="VmDiskStatus",
                               description="available: not attached; attached: to vmId; deleted.")


@strawberry.type(description="A persistent disk for VMs; its size counts in the tenant's storage quota.")
class VmDisk:
    id: strawberry.ID
    name: str
    size_gb: int
    status: VmDiskStatus  # type: ignore[valid-type]
    vm_id: str | None = strawberry.field(description="The VM it is attached to; null when available.")
    team_id: str | None
    account_id: str
    attached_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def from_row(cls, d: VmDiskRow) -> VmDisk:
        return cls(id=strawberry.ID(d.id), name=d.name, size_gb=d.size_gb, status=DiskStatus(d.status),
                   vm_id=d.vm_id, team_id=d.team_id, account_id=d.account_id, attached_at=d.attached_at,
                   created_at=d.created_at, updated_at=d.updated_at, deleted_at=d.deleted_at)


@strawberry.type(description="One page of VM disks.")
class VmDiskConnection:
    items: list[VmDisk]
    next_token: str | None


@strawberry.input(description="A new persistent disk.")
class CreateVmDiskInput:
    name: str
    size_gb: int
    team_id: str | None = strawberry.field(default=None, description="share the disk with this team")


@strawberry.type(description="A disk as a mutation left it (or would leave it, in a dry run).")
class VmDiskPayload(MutationPayload):
    vm_disk: VmDisk


def _payload(row: VmDiskRow, dry_run: bool) -> VmDiskPayload:
    return VmDiskPayload(dry_run=dry_run, valid=True, vm_disk=VmDisk.from_row(row))



@strawberry.type
class VmDiskQueries:
    @strawberry.field(permission_classes=READ, description="Your live disks and those shared with your teams, "
                      "oldest first; vmId narrows to the disks attached to that VM.")
    async def vm_disks(self, info: Info, max_results: int | None = None, next_token: str | None = None,
                       vm_id: str | None = None) -> VmDiskConnection:
        ctx = info.context
        page = await ctx.platform.vm_disks.list(await ctx.principal(), PageRequest(max_results, next_token),
                                                vm_id=vm_id)
        return VmDiskConnection(items=[VmDisk.from_row(d) for d in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def vm_disk(self, info: Info, id: strawberry.ID) -> VmDisk:
        ctx = info.context
        return VmDisk.from_row(await ctx.platform.vm_disks.get(await ctx.principal(), str(id)))


@strawberry.type
class VmDiskMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Create a persistent disk.")
    async def create_vm_disk(self, info: Info, input: CreateVmDiskInput, dry_run: DryRun = False) -> VmDiskPayload:
        ctx = info.context
        data = parse_input(DiskCreate, {"name": input.name, "size_gb": input.size_gb, "team_id": input.team_id})
        return _payload(await ctx.platform.vm_disks.create(await ctx.principal(), data, dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Attach a disk to a VM of your tenant.")
    async def attach_vm_disk(self, info: Info, id: strawberry.ID, vm_id: str,
                             dry_run: DryRun = False) -> VmDiskPayload:
        ctx = info.context
        data = parse_input(DiskAttach, {"vm_id": vm_id})
        return _payload(await ctx.platform.vm_disks.attach(await ctx.principal(), str(id), data, dry_run=dry_run),
                        dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Detach a disk from its VM.")
    async def detach_vm_disk(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> VmDiskPayload:
        ctx = info.context
        return _payload(await ctx.platform.vm_disks.detach(await ctx.principal(), str(id), dry_run=dry_run),
                        dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Grow a disk (disks never shrink).")
    async def resize_vm_disk(self, info: Info, id: strawberry.ID, size_gb: int,
                             dry_run: DryRun = False) -> VmDiskPayload:
        ctx = info.context
        data = parse_input(DiskResize, {"size_gb": size_gb})
        return _payload(await ctx.platform.vm_disks.resize(await ctx.principal(), str(id), data, dry_run=dry_run),
                        dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Delete a detached disk; its storage is released.")
    async def delete_vm_disk(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> VmDiskPayload:
        ctx = info.context
        return _payload(await ctx.platform.vm_disks.delete(await ctx.principal(), str(id), dry_run=dry_run),
                        dry_run)
