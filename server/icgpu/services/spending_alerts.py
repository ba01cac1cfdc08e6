"""Spending alerts: balance thresholds of the tenant, each owned by the account that made it
(``/api/v1/spending-alerts``, ids ``alert-…``, scope ``tokens``; docs/spending_alerts.md).

``evaluate`` runs in the transaction of every balance change (services/tokens.py):

- ``balance.low`` fires ONCE when the balance crosses below an alert's threshold: the alert is then
  disarmed, and re-armed when a purchase or grant lifts the balance back to the threshold or above.
- ``balance.depleted`` fires, for every alert of the tenant, when a charge takes the balance to zero.

Both are outbox events about the alert (its owner is the event's account): payload ``alert_id``,
``name``, ``threshold``, ``balance``. An ``in_app`` alert also leaves a notification for its owner
(services/notifications.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AliasChoices, Field
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_tokens import SpendingAlert, TokenBalance
from icgpu.errors import NotFound
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.services import notifications
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.validation import Input

SCOPE = "tokens"
PREFIX = "alert"
MAX_THRESHOLD = 2_147_483_647  # GraphQL's Int
LOW = "balance.low"
DEPLETED = "balance.depleted"


class NotifyVia(StrEnum):
    WEBHOOK = "webhook"
    IN_APP = "in_app"


def _notify_via(default: NotifyVia | None) -> Any:
    return Field(default=default, validation_alias=AliasChoices("notifyVia", "notify_via"),
                 description="webhook: a balance.low / balance.depleted event for your webhooks; "
                             "in_app: the event and a notification (GET /api/v1/notifications)")


class AlertCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    threshold: int = Field(ge=1, le=MAX_THRESHOLD, strict=True,
                           description="fire balance.low when the balance falls below this many tokens")
    notify_via: NotifyVia = _notify_via(NotifyVia.WEBHOOK)


class AlertUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    threshold: int | None = Field(default=None, ge=1, le=MAX_THRESHOLD, strict=True)
    notify_via: NotifyVia | None = _notify_via(None)


def snapshot(a: Any, balance: int) -> dict[str, object]:
    return {"alert_id": a.id, "name": a.name, "threshold": a.threshold, "notify_via": a.notify_via,
            "balance": balance}


def _fire(s: AsyncSession, a: Any, type_: str, balance: int) -> None:
    """``a``: an alert (row or object) with id, tenant_id, account_id, name, threshold, notify_via."""
    data = snapshot(a, balance)
    outbox.record(s, type_, tenant_id=a.tenant_id, account_id=a.account_id, resource_type="spending_alert",
                  resource_id=a.id, data=data)
    if a.notify_via == NotifyVia.IN_APP:
        message = (f"Your token balance ({balance}) fell below the threshold of alert '{a.name}' ({a.threshold})"
                   if type_ == LOW else f"Your token balance is depleted (alert '{a.name}')")
        notifications.add(s, tenant_id=a.tenant_id, account_id=a.account_id, type_=type_, alert_id=a.id,
                          message=message, data=data)


ALERT = (SpendingAlert.id, SpendingAlert.tenant_id, SpendingAlert.account_id, SpendingAlert.name,
         SpendingAlert.threshold, SpendingAlert.notify_via, SpendingAlert.created_at)


def _in_order(rows: Any) -> list[Any]:
    return sorted(rows, key=lambda a: (a.created_at, a.id))


def highest_armed(tenant_id: Any) -> Any:
    """A scalar subquery: the highest threshold among the tenant's armed alerts (NULL: none), for
    the RETURNING of a charge's balance UPDATE (``evaluate``'s ``highest`` hint)."""
    return (select(func.max(SpendingAlert.threshold))
            .where(SpendingAlert.tenant_id == tenant_id, SpendingAlert.armed.is_(True)).scalar_subquery())


async def evaluate(s: AsyncSession, tenant_id: str, *, before: int, after: int,
                   highest: int | None = None, hinted: bool = False) -> None:
    """The tenant's balance moved from ``before`` to ``after`` in this transaction: fire, disarm
    and re-arm its alerts. Callers have locked the balance row (their UPDATE of it), so changes of
    one tenant's balance are evaluated one after the other. Each move is one conditional UPDATE:
    a charge disarms, in one statement, exactly the armed alerts whose threshold the balance fell
    below and fires those (so an alert fires once per crossing however calls interleave, and one
    deleted meanwhile is skipped); a credit re-arms those it lifted the balance back above. An
    armed alert always has the balance at or above its threshold, so a credit never fires one.

    ``hinted``: ``highest`` is ``highest_armed`` read in this transaction after the balance row was
    locked (SQLite, whose writers run one at a time): a charge that crosses no armed threshold and
    leaves tokens then costs no statement at all."""
    if after > before:
        await s.execute(update(SpendingAlert)
                        .where(SpendingAlert.tenant_id == tenant_id, SpendingAlert.armed.is_(False),
                               SpendingAlert.threshold <= after)
                        .values(armed=True))
        return
    if after == before or (hinted and after > 0 and (highest is None or highest <= after)):
        return
    fired = (await s.execute(
        update(SpendingAlert)
        .where(SpendingAlert.tenant_id == tenant_id, SpendingAlert.armed.is_(True), SpendingAlert.threshold > after)
        .values(armed=False, last_fired_at=utcnow())
        .returning(*ALERT))).all()
    for a in _in_order(fired):
        _fire(s, a, LOW, after)
    if before > 0 and after == 0:
        for a in _in_order((await s.execute(select(*ALERT).where(SpendingAlert.tenant_id == tenant_id))).all()):
            _fire(s, a, DEPLETED, after)


class SpendingAlertService:
    def __init__(self, db: Database, pages: PageCodec) -> None:
        self.db = db
        self.pages = pages

    async def list(self, p: Principal, page: PageRequest) -> Page[SpendingAlert]:
        """The caller's alerts, oldest first."""
        p.require(SCOPE, "read")
        stmt = select(SpendingAlert).where(SpendingAlert.account_id == p.account_id)
        async with self.db.read() as s:
            return await self.pages.fetch(s, stmt, page, scope=f"spending-alerts:{p.account_id}", model=SpendingAlert)

    async def get(self, p: Principal, alert_id: str) -> SpendingAlert:
        p.require(SCOPE, "read")
        async with self.db.read() as s:
            return await self._load(s, p, alert_id)

    async def create(self, p: Principal, data: AlertCreate, *, dry_run: bool = False) -> SpendingAlert:
        p.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            now = utcnow()
            alert = SpendingAlert(id=new_id(PREFIX), tenant_id=p.tenant_id, account_id=p.account_id, name=data.name,
                                  threshold=data.threshold, notify_via=data.notify_via.value,
                                  armed=await self._balance(s, p.tenant_id) >= data.threshold,
                                  created_at=now, updated_at=now)
            s.add(alert)
            self._record(s, alert, "spending_alert.created")
        return alert

    async def update(self, p: Principal, alert_id: str, data: AlertUpdate, *, dry_run: bool = False) -> SpendingAlert:
        p.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            alert = await self._load(s, p, alert_id, for_update=True)
            if data.name is not None:
                alert.name = data.name
            if data.notify_via is not None:
                alert.notify_via = data.notify_via.value
            if data.threshold is not None and data.threshold != alert.threshold:
                alert.threshold = data.threshold
                # A new threshold starts from where the balance is: armed when at or above it.
                alert.armed = await self._balance(s, p.tenant_id) >= data.threshold
            alert.updated_at = utcnow()
            self._record(s, alert, "spending_alert.updated")
        return alert

    async def delete(self, p: Principal, alert_id: str, *, dry_run: bool = False) -> SpendingAlert:
        p.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            alert = await self._load(s, p, alert_id, for_update=True)
            self._record(s, alert, "spending_alert.deleted")
            await s.delete(alert)
        return alert

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    async def _load(s: AsyncSession, p: Principal, alert_id: str, *, for_update: bool = False) -> SpendingAlert:
        alert = await s.get(SpendingAlert, alert_id, with_for_update=for_update) \
            if well_formed(alert_id, PREFIX) else None
        if alert is None or alert.account_id != p.account_id or alert.tenant_id != p.tenant_id:
            raise NotFound(f"spending alert {alert_id} not found")
        return alert

    @staticmethod
    async def _balance(s: AsyncSession, tenant_id: str) -> int:
        return int(await s.scalar(select(TokenBalance.balance).where(TokenBalance.tenant_id == tenant_id)) or 0)

    @staticmethod
    def _record(s: AsyncSession, a: SpendingAlert, type_: str) -> None:
        outbox.record(s, type_, tenant_id=a.tenant_id, account_id=a.account_id, resource_type="spending_alert",
                      resource_id=a.id, data={"alert_id": a.id, "name": a.name, "threshold": a.threshold,
                                              "notify_via": a.notify_via})
