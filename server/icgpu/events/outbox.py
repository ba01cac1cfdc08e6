"""Writing events: always inside the transaction of the change they describe."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.database import is_dry_run
from icgpu.db.tables import Event
from icgpu.ids import new_id


def record(
    session: AsyncSession,
    type: str,
    *,
    tenant_id: str,
    account_id: str | None,
    team_id: str | None = None,
    resource_type: str,
    resource_id: str,
    data: dict[str, Any],
) -> Event:
    event = Event(
        id=new_id("evt"),
        type=type,
        tenant_id=tenant_id,
        account_id=account_id,
        team_id=team_id,
        resource_type=resource_type,
        resource_id=resource_id,
        data=data,
    )
    if not is_dry_run(session):  # a dry run writes nothing, its events included
        session.add(event)
    return event
