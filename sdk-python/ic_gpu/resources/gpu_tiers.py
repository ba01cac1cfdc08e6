"""client.gpu_tiers: the catalogue (no authentication needed)."""

from __future__ import annotations

from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource


class GpuTiers(SyncResource):
    def list(self) -> list[g.GpuTierFields]:
        return list(self._gen.list_gpu_tiers().gpu_tiers)


class AsyncGpuTiers(AsyncResource):
    async def list(self) -> list[a.GpuTierFields]:
        return list((await self._gen.list_gpu_tiers()).gpu_tiers)
