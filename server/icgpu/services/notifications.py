"""In-app notifications: what an account's ``in_app`` spending alerts left for it
(``GET /api/v1/notifications``, GraphQL ``notifications``), newest last, one page at a time.
They are written only by the service that fires them (``add``), in its transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_tokens import Notification
from icgpu.ids import new_id
from icgpu.services.pagination import Page, PageCodec, PageRequest

SCOPE = "tokens"  # the only notifications today are about the token balance


def add(s: AsyncSession, *, tenant_id: str, account_id: str, type_: str, message: str,
        alert_id: str | None = None, data: dict[str, Any] | None = None) -> Notification:
    row = Notification(id=new_id("ntf"), tenant_id=tenant_id, account_id=account_id, type=type_,
                       alert_id=alert_id, message=message, data=dict(data or {}), created_at=utcnow())
    s.add(row)
    return row


class NotificationService:
    def __init__(self, db: Database, pages: PageCodec) -> None:
        self.db = db
        self.pages = pages

    async def list(self, p: Principal, page: PageRequest) -> Page[Notification]:
        """The caller's own notifications, oldest first."""
        p.require(SCOPE, "read")
        stmt = select(Notification).where(Notification.account_id == p.account_id,
                                          Notification.tenant_id == p.tenant_id)
        async with self.db.read() as s:
            return await self.pages.fetch(s, stmt, page, scope=f"notifications:{p.account_id}", model=Notification)
