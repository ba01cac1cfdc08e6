"""client.quotas: the tenant's limits (storage, GPUs), what is used and what is left."""

from __future__ import annotations

from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource


class Quotas(SyncResource):
    def get(self) -> g.QuotasFields:
        return self._gen.get_quotas().quotas


class AsyncQuotas(AsyncResource):
    async def get(self) -> a.QuotasFields:
        return (await self._gen.get_quotas()).quotas
