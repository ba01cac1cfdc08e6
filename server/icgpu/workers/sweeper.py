"""Periodic housekeeping: key.expired announcements and expired idempotency records."""

from __future__ import annotations

import asyncio
import logging

from icgpu.services.api_keys import ApiKeyService
from icgpu.services.idempotency import IdempotencyService
from icgpu.workers.background import Background

log = logging.getLogger(__name__)


class Sweeper(Background):
    IDEMPOTENCY_EVERY = 3600.0

    def __init__(self, idempotency: IdempotencyService, api_keys: ApiKeyService, interval: float) -> None:
        self.idempotency = idempotency
        self.api_keys = api_keys
        self.interval = interval
        self._idempotency_due = 0.0

    def start(self) -> None:
        self._spawn(self._run(), "sweeper")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                await self.api_keys.announce_expired()
                if loop.time() >= self._idempotency_due:
                    self._idempotency_due = loop.time() + self.IDEMPOTENCY_EVERY
                    removed = await self.idempotency.sweep()
                    if removed:
                        log.info("removed %d expired idempotency records", removed)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sweep failed")
            await asyncio.sleep(self.interval)
