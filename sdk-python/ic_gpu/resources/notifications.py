"""client.notifications: your in-app notifications (left by in_app spending alerts), oldest first."""

from __future__ import annotations

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource


class Notifications(SyncResource):
    def list(self, *, max_results: int | None = None) -> SyncPage[g.NotificationFields]:
        def fetch(token: str | None) -> Page[g.NotificationFields]:
            res = self._gen.list_notifications(max_results=max_results, next_token=token).notifications
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))


class AsyncNotifications(AsyncResource):
    def list(self, *, max_results: int | None = None) -> AsyncPage[a.NotificationFields]:
        async def fetch(token: str | None) -> Page[a.NotificationFields]:
            res = (await self._gen.list_notifications(max_results=max_results, next_token=token)).notifications
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)
