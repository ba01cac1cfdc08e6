"""/api/v1/notifications: the caller's in-app notifications (protocol mapping only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field

from icgpu.api.rest.deps import CurrentPrincipal, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.api.rest.schemas import Shape
from icgpu.db.tables_tokens import Notification as NotificationRow

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"], route_class=AuthedRoute)


class Notification(Shape):
    id: str
    type: str = Field(description="the event that left it: balance.low or balance.depleted")
    alert_id: str | None = Field(description="the in_app spending alert that fired")
    message: str
    data: dict[str, Any] = Field(description="the event's payload: alert_id, name, threshold, balance")
    created_at: datetime


class NotificationList(Shape):
    notifications: list[Notification]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


def notification_json(n: NotificationRow) -> dict[str, Any]:
    return {"id": n.id, "type": n.type, "alert_id": n.alert_id, "message": n.message, "data": dict(n.data),
            "created_at": n.created_at.isoformat()}


@router.get("", **operation(NotificationList, summary="List Notifications"))
async def list_notifications(platform: PlatformDep, principal: CurrentPrincipal,
                             page: PageDep) -> Response | dict[str, Any]:
    result = await platform.notifications.list(principal, page)
    return ok(platform, {"notifications": [notification_json(n) for n in result.items],
                         "nextToken": result.next_token})
