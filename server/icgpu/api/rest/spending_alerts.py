"""/api/v1/spending-alerts: balance thresholds (protocol mapping only; rules in
services/spending_alerts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.api.rest.schemas import DryRun as DryRunShape
from icgpu.api.rest.schemas import Shape, one_of
from icgpu.db.tables_tokens import SpendingAlert as AlertRow
from icgpu.services.spending_alerts import AlertCreate, AlertUpdate, NotifyVia
from icgpu.services.validation import parse

PATH = "/api/v1/spending-alerts"
router = APIRouter(prefix=PATH, tags=["spending-alerts"], route_class=AuthedRoute)


class SpendingAlert(Shape):
    id: str
    name: str
    threshold: int = Field(description="balance.low fires once when the balance falls below this many tokens")
    notify_via: str = one_of(tuple(v.value for v in NotifyVia))
    armed: bool = Field(description="true: the balance is at or above the threshold, so falling below it fires")
    last_fired_at: datetime | None
    account_id: str
    created_at: datetime
    updated_at: datetime


class SpendingAlertList(Shape):
    alerts: list[SpendingAlert]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class DryRunSpendingAlert(DryRunShape):
    alert: SpendingAlert


def alert_json(a: AlertRow) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "threshold": a.threshold, "notify_via": a.notify_via, "armed": a.armed,
            "last_fired_at": a.last_fired_at.isoformat() if a.last_fired_at else None, "account_id": a.account_id,
            "created_at": a.created_at.isoformat(), "updated_at": a.updated_at.isoformat()}


@router.post("", **operation(SpendingAlert, status=201, body=AlertCreate, dry_run=DryRunSpendingAlert,
                             summary="Create Spending Alert"))
async def create_alert(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                       dry_run: DryRun) -> dict[str, Any]:
    data = parse(AlertCreate, await read_json(request))
    alert = await platform.spending_alerts.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "alert", alert_json(alert), f"{PATH}/{alert.id}")


@router.get("", **operation(SpendingAlertList, summary="List Spending Alerts"))
async def list_alerts(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.spending_alerts.list(principal, page)
    return ok(platform, {"alerts": [alert_json(a) for a in result.items], "nextToken": result.next_token})


@router.get("/{alert_id}", **operation(SpendingAlert, summary="Get Spending Alert"))
async def get_alert(alert_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, alert_json(await platform.spending_alerts.get(principal, alert_id)))


@router.patch("/{alert_id}", **operation(SpendingAlert, body=AlertUpdate, dry_run=DryRunSpendingAlert,
                                         summary="Update Spending Alert"))
async def update_alert(alert_id: str, request: Request, platform: PlatformDep, principal: CurrentPrincipal,
                       dry_run: DryRun) -> dict[str, Any]:
    data = parse(AlertUpdate, await read_json(request))
    alert = await platform.spending_alerts.update(principal, alert_id, data, dry_run=dry_run)
    return written(dry_run, "alert", alert_json(alert))


@router.delete("/{alert_id}", **operation(SpendingAlert, dry_run=DryRunSpendingAlert,
                                          summary="Delete Spending Alert"))
async def delete_alert(alert_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                       dry_run: DryRun) -> dict[str, Any]:
    alert = await platform.spending_alerts.delete(principal, alert_id, dry_run=dry_run)
    return written(dry_run, "alert", alert_json(alert))
