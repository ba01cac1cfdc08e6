"""GraphQL queries, mutations and subscriptions for GPU tiers and instances."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import cast

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.loaders import selected
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.common import GpuTier
from icgpu.api.graphql.types.instance import (
    CreateInstanceInput,
    Instance,
    InstanceConnection,
    InstanceStatus,
    InstanceStatusEvent,
    UpdateInstanceInput,
)
from icgpu.api.graphql.types.payloads import DryRun, InstancePayload
from icgpu.db.tables import Instance as InstanceRow
from icgpu.events.bus import BusEvent
from icgpu.services.instance_states import Status
from icgpu.services.instances import InstanceCreate, InstanceOwnerRecord, InstanceUpdate
from icgpu.services.pagination import PageRequest

READ = [requires("instances", "read")]
WRITE = [requires("instances", "write")]
FINAL = {Status.TERMINATED.value}


@strawberry.type
class InstanceQueries:
    @strawberry.field(description="GPU tiers with prices and current capacity (no authentication needed).")
    async def gpu_tiers(self, info: Info) -> list[GpuTier]:
        return [GpuTier.from_tier(e.tier, e.capacity, e.available) for e in await info.context.platform.tiers.list()]

    @strawberry.field(permission_classes=READ, description="Your instances and those shared with your teams, "
                      "oldest first, one page at a time; terminated ones only when asked for by status.")
    async def instances(self, info: Info, max_results: int | None = None, next_token: str | None = None,
                        status: InstanceStatus | None = None) -> InstanceConnection:  # type: ignore[valid-type]
        ctx = info.context
        # The owners come in the list's own statement when shown (the reference path,
        # ICGPU_FAST_PATHS=false, loads them with a second query, as every other parent does).
        with_owner = ctx.platform.settings.fast_paths and selected(info, "owner")
        page = await ctx.platform.instances.list(await ctx.principal(), PageRequest(max_results, next_token),
                                                 status=status.value if status is not None else None,
                                                 with_owner=with_owner)
        if with_owner:
            ctx.loaders.know_owners(cast(list[InstanceOwnerRecord], page.items))
        return InstanceConnection(items=await Instance.page(info, page.items), next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def instance(self, info: Info, id: strawberry.ID) -> Instance:
        ctx = info.context
        return await Instance.one(info, await ctx.platform.instances.get(await ctx.principal(), str(id)))


@strawberry.type
class InstanceMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Create an instance.")
    async def create_instance(self, info: Info, input: CreateInstanceInput,
                              dry_run: DryRun = False) -> InstancePayload:
        ctx = info.context
        data = parse_input(InstanceCreate, {
            "name": input.name, "tier": input.tier, "ssh_key": input.ssh_key,
            "storage_gb": input.storage_gb, "workload_type": input.workload_type.value,
            "ssh_key_group": input.ssh_key_group, "team_id": input.team_id,
            "auto_stop_after_minutes": input.auto_stop_after_minutes,
        })
        row = await ctx.platform.instances.create(await ctx.principal(), data, dry_run=dry_run)
        return await _payload(info, row, dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Rename an instance.")
    async def update_instance(self, info: Info, id: strawberry.ID, input: UpdateInstanceInput,
                              dry_run: DryRun = False) -> InstancePayload:
        ctx = info.context
        data = parse_input(InstanceUpdate, {"name": input.name})
        row = await ctx.platform.instances.update(await ctx.principal(), str(id), data, dry_run=dry_run)
        return await _payload(info, row, dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Start a stopped (or failed) instance.")
    async def start_instance(self, info: Info, id: strawberry.ID,
                             dry_run: DryRun = False) -> InstancePayload:
        ctx = info.context
        return await _payload(info, await ctx.platform.instances.start(await ctx.principal(), str(id),
                                                                       dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Stop an instance; its storage is kept.")
    async def stop_instance(self, info: Info, id: strawberry.ID,
                            dry_run: DryRun = False) -> InstancePayload:
        ctx = info.context
        return await _payload(info, await ctx.platform.instances.stop(await ctx.principal(), str(id),
                                                                      dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Re-queue a preempted batch instance.")
    async def requeue_instance(self, info: Info, id: strawberry.ID,
                               dry_run: DryRun = False) -> InstancePayload:
        ctx = info.context
        return await _payload(info, await ctx.platform.instances.requeue(await ctx.principal(), str(id),
                                                                         dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Terminate an instance and release its storage.")
    async def delete_instance(self, info: Info, id: strawberry.ID,
                              dry_run: DryRun = False) -> InstancePayload:
        ctx = info.context
        return await _payload(info, await ctx.platform.instances.delete(await ctx.principal(), str(id),
                                                                        dry_run=dry_run), dry_run)


async def _payload(info: Info, row: InstanceRow, dry_run: bool) -> InstancePayload:
    return InstancePayload(dry_run=dry_run, valid=True, instance=await Instance.one(info, row))


@strawberry.type
class InstanceSubscriptions:
    @strawberry.subscription(permission_classes=READ,
                             description="The instance's current status, then every change until it is terminated.")
    async def instance_status(self, info: Info, id: strawberry.ID) -> AsyncGenerator[InstanceStatusEvent, None]:
        ctx = info.context
        principal = await ctx.principal()
        instance_id = str(id)
        # Subscribe before reading the current status so no change can fall between the two.
        # (Visibility is checked by `get` below; the filter keeps the stream to this instance.)
        sub = ctx.platform.bus.subscribe(
            lambda ev: ev.resource_id == instance_id and ev.tenant_id == principal.tenant_id)
        try:
            row = await ctx.platform.instances.get(principal, instance_id)
            yield InstanceStatusEvent(instance_id=strawberry.ID(row.id), status=Status(row.status),
                                      previous_status=None, reason=row.status_reason, at=row.updated_at)
            if row.status in FINAL:
                return
            last = row.status
            async for ev in sub:
                status = ev.data.get("status")
                if not status or (status == last and ev.type != "instance.created"):
                    continue
                yield _status_event(ev)
                last = status
                if status in FINAL:
                    return
        finally:
            sub.close()


def _status_event(ev: BusEvent) -> InstanceStatusEvent:
    prev = ev.data.get("previous_status")
    return InstanceStatusEvent(instance_id=strawberry.ID(ev.resource_id), status=Status(ev.data["status"]),
                               previous_status=Status(prev) if prev else None,
                               reason=ev.data.get("status_reason"), at=ev.created_at)
