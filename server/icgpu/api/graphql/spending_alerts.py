"""GraphQL queries and mutations for spending alerts and the in-app notifications they leave (the
same services as REST)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.payloads import DryRun, MutationPayload
from icgpu.db.tables_tokens import Notification as NotificationRow
from icgpu.db.tables_tokens import SpendingAlert as AlertRow
from icgpu.services.pagination import PageRequest
from icgpu.services.spending_alerts import AlertCreate, AlertUpdate
from icgpu.services.spending_alerts import NotifyVia as NotifyViaValue

READ = [requires("tokens", "read")]
WRITE = [requires("tokens", "write")]

NotifyVia = strawberry.enum(NotifyViaValue, name="NotifyVia",
                            description="How a spending alert tells you: a webhook event, or in-app too.")


@strawberry.type(description="A balance threshold: balance.low fires once each time the balance falls below it.")
class SpendingAlert:
    id: strawberry.ID
    name: str
    threshold: int
    notify_via: NotifyVia  # type: ignore[valid-type]
    armed: bool = strawberry.field(description="True: the balance is at or above the threshold, so falling "
                                               "below it fires.")
    last_fired_at: datetime | None
    account_id: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: AlertRow) -> SpendingAlert:
        return cls(id=strawberry.ID(a.id), name=a.name, threshold=a.threshold, notify_via=NotifyViaValue(a.notify_via),
                   armed=a.armed, last_fired_at=a.last_fired_at, account_id=a.account_id, created_at=a.created_at,
                   updated_at=a.updated_at)


@strawberry.type(description="One page of spending alerts.")
class SpendingAlertConnection:
    items: list[SpendingAlert]
    next_token: str | None


@strawberry.type(description="A spending alert as a mutation left it (or would leave it, in a dry run).")
class SpendingAlertPayload(MutationPayload):
    spending_alert: SpendingAlert


@strawberry.input(description="A new spending alert.")
class CreateSpendingAlertInput:
    name: str
    threshold: int
    notify_via: NotifyVia | None = None  # type: ignore[valid-type]


@strawberry.input(description="What to change: any of name, threshold, notifyVia.")
class UpdateSpendingAlertInput:
    name: str | None = None
    threshold: int | None = None
    notify_via: NotifyVia | None = None  # type: ignore[valid-type]


@strawberry.type(description="An in-app notification (left by an in_app spending alert).")
class Notification:
    id: strawberry.ID
    type: str = strawberry.field(description="balance.low or balance.depleted")
    alert_id: str | None
    message: str
    data: JSON = strawberry.field(description="The event's payload: alertId, name, threshold, balance.")
    created_at: datetime

    @classmethod
    def of(cls, n: NotificationRow) -> Notification:
        return cls(id=strawberry.ID(n.id), type=n.type, alert_id=n.alert_id, message=n.message,
                   data=cast(JSON, dict(n.data)), created_at=n.created_at)


@strawberry.type(description="One page of notifications.")
class NotificationConnection:
    items: list[Notification]
    next_token: str | None


def _given(**fields: Any) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, NotifyViaValue) else v) for k, v in fields.items() if v is not None}


@strawberry.type
class SpendingAlertQueries:
    @strawberry.field(permission_classes=READ, description="Your spending alerts, oldest first, one page at a time.")
    async def spending_alerts(self, info: Info, max_results: int | None = None,
                              next_token: str | None = None) -> SpendingAlertConnection:
        ctx = info.context
        page = await ctx.platform.spending_alerts.list(await ctx.principal(), PageRequest(max_results, next_token))
        return SpendingAlertConnection(items=[SpendingAlert.of(a) for a in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def spending_alert(self, info: Info, id: strawberry.ID) -> SpendingAlert:
        ctx = info.context
        return SpendingAlert.of(await ctx.platform.spending_alerts.get(await ctx.principal(), str(id)))

    @strawberry.field(permission_classes=READ, description="Your in-app notifications, oldest first, one page "
                      "at a time.")
    async def notifications(self, info: Info, max_results: int | None = None,
                            next_token: str | None = None) -> NotificationConnection:
        ctx = info.context
        page = await ctx.platform.notifications.list(await ctx.principal(), PageRequest(max_results, next_token))
        return NotificationConnection(items=[Notification.of(n) for n in page.items], next_token=page.next_token)


@strawberry.type
class SpendingAlertMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Create a spending alert.")
    async def create_spending_alert(self, info: Info, input: CreateSpendingAlertInput,
                                    dry_run: DryRun = False) -> SpendingAlertPayload:
        ctx = info.context
        data = parse_input(AlertCreate, _given(name=input.name, threshold=input.threshold,
                                               notify_via=input.notify_via))
        alert = await ctx.platform.spending_alerts.create(await ctx.principal(), data, dry_run=dry_run)
        return SpendingAlertPayload(dry_run=dry_run, valid=True, spending_alert=SpendingAlert.of(alert))

    @strawberry.mutation(permission_classes=WRITE, description="Change a spending alert's threshold, name or channel.")
    async def update_spending_alert(self, info: Info, id: strawberry.ID, input: UpdateSpendingAlertInput,
                                    dry_run: DryRun = False) -> SpendingAlertPayload:
        ctx = info.context
        data = parse_input(AlertUpdate, _given(name=input.name, threshold=input.threshold,
                                               notify_via=input.notify_via))
        alert = await ctx.platform.spending_alerts.update(await ctx.principal(), str(id), data, dry_run=dry_run)
        return SpendingAlertPayload(dry_run=dry_run, valid=True, spending_alert=SpendingAlert.of(alert))

    @strawberry.mutation(permission_classes=WRITE, description="Delete a spending alert.")
    async def delete_spending_alert(self, info: Info, id: strawberry.ID,
                                    dry_run: DryRun = False) -> SpendingAlertPayload:
        ctx = info.context
        alert = await ctx.platform.spending_alerts.delete(await ctx.principal(), str(id), dry_run=dry_run)
        return SpendingAlertPayload(dry_run=dry_run, valid=True, spending_alert=SpendingAlert.of(alert))
