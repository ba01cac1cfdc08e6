"""The ``events`` subscription: every event the caller may see, optionally filtered by type."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.permissions import Authenticated
from icgpu.api.graphql.types.common import Event
from icgpu.errors import ValidationError
from icgpu.services import access

MAX_TYPES = 50
TEAM_REFRESH_SECONDS = 5.0  # joining or leaving a team reaches open streams this fast


def _matches(patterns: list[str] | None, type_: str) -> bool:
    if not patterns:
        return True
    return any(p == "*" or p == type_ or (p.endswith(".*") and type_.startswith(p[:-1])) for p in patterns)


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(permission_classes=[Authenticated],
                             description="Events on your resources. types: exact names, 'instance.*' or '*'.")
    async def events(self, info: Info, types: list[str] | None = None) -> AsyncGenerator[Event, None]:
        if types is not None and len(types) > MAX_TYPES:
            raise ValidationError(f"at most {MAX_TYPES} event types", field="types")
        principal = await info.context.principal()
        team_service = info.context.platform.teams
        teams = [await team_service.team_ids(principal)]  # re-read while the stream is open

        async def follow_membership() -> None:
            while True:
                await asyncio.sleep(TEAM_REFRESH_SECONDS)
                teams[0] = await team_service.team_ids(principal)

        sub = info.context.platform.bus.subscribe(
            lambda ev: access.event_visible(principal, teams[0], ev) and _matches(types, ev.type))
        refresher = asyncio.create_task(follow_membership())
        try:
            async for ev in sub:
                yield Event(id=strawberry.ID(ev.id), type=ev.type, resource_type=ev.resource_type,
                            resource_id=strawberry.ID(ev.resource_id), data=ev.data, created_at=ev.created_at)
        finally:
            refresher.cancel()
            sub.close()
