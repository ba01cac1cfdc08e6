"""Periodic housekeeping: key.expired announcements and expired idempotency records."""

from __future__ import annotations

import logging
import time

from icgpu.services.api_keys import ApiKeyService
from icgpu.services.idempotency import IdempotencyService
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)


class Sweeper(LevelTriggered):
    IDEMPOTENCY_EVERY = 3600.0
    task_name = "sweeper"

    def __init__(self, idempotency: IdempotencyService, api_keys: ApiKeyService, interval: float) -> None:
        self.idempotency = idempotency
        self.api_keys = api_keys
        self.interval = interval
        self._idempotency_due = 0.0

    async def reconcile_once(self) -> None:
        await self.api_keys.announce_expired()
        if time.monotonic() >= self._idempotency_due:
            self._idempotency_due = time.monotonic() + self.IDEMPOTENCY_EVERY
            removed = await self.idempotency.sweep()
            if removed:
                log.info("removed %d expired idempotency records", removed)
