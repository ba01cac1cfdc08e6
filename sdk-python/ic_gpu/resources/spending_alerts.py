"""client.spending_alerts: balance thresholds (create, list, get, update, delete). balance.low fires
once each time the balance falls below an alert's threshold; notify_via "webhook" or "in_app"."""

from __future__ import annotations

from typing import Any

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given, upper


class SpendingAlerts(SyncResource):
    def create(self, *, name: str, threshold: int, notify_via: Any = None,
               dry_run: bool = False) -> g.CreateSpendingAlertCreateSpendingAlert:
        spec = given(name=name, threshold=threshold, notify_via=upper(notify_via))
        return self._gen.create_spending_alert(g.CreateSpendingAlertInput(**spec),
                                               dry_run=dry_run).create_spending_alert

    def list(self, *, max_results: int | None = None) -> SyncPage[g.SpendingAlertFields]:
        def fetch(token: str | None) -> Page[g.SpendingAlertFields]:
            res = self._gen.list_spending_alerts(max_results=max_results, next_token=token).spending_alerts
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.SpendingAlertFields:
        return self._gen.get_spending_alert(id).spending_alert

    def update(self, id: str, *, threshold: int | None = None, name: str | None = None, notify_via: Any = None,
               dry_run: bool = False) -> g.UpdateSpendingAlertUpdateSpendingAlert:
        spec = given(name=name, threshold=threshold, notify_via=upper(notify_via))
        return self._gen.update_spending_alert(id, g.UpdateSpendingAlertInput(**spec),
                                               dry_run=dry_run).update_spending_alert

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteSpendingAlertDeleteSpendingAlert:
        return self._gen.delete_spending_alert(id, dry_run=dry_run).delete_spending_alert


class AsyncSpendingAlerts(AsyncResource):
    async def create(self, *, name: str, threshold: int, notify_via: Any = None,
                     dry_run: bool = False) -> a.CreateSpendingAlertCreateSpendingAlert:
        spec = given(name=name, threshold=threshold, notify_via=upper(notify_via))
        return (await self._gen.create_spending_alert(a.CreateSpendingAlertInput(**spec),
                                                      dry_run=dry_run)).create_spending_alert

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.SpendingAlertFields]:
        async def fetch(token: str | None) -> Page[a.SpendingAlertFields]:
            res = (await self._gen.list_spending_alerts(max_results=max_results, next_token=token)).spending_alerts
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.SpendingAlertFields:
        return (await self._gen.get_spending_alert(id)).spending_alert

    async def update(self, id: str, *, threshold: int | None = None, name: str | None = None,
                     notify_via: Any = None, dry_run: bool = False) -> a.UpdateSpendingAlertUpdateSpendingAlert:
        spec = given(name=name, threshold=threshold, notify_via=upper(notify_via))
        return (await self._gen.update_spending_alert(id, a.UpdateSpendingAlertInput(**spec),
                                                      dry_run=dry_run)).update_spending_alert

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteSpendingAlertDeleteSpendingAlert:
        return (await self._gen.delete_spending_alert(id, dry_run=dry_run)).delete_spending_alert
