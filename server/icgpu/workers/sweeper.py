"""Periodic housekeeping: expired idempotency records."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from icgpu.services.idempotency import IdempotencyService

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, idempotency: IdempotencyService, interval: float) -> None:
        self.idempotency = idempotency
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="sweeper")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                removed = await self.idempotency.sweep()
                if removed:
                    log.info("removed %d expired idempotency records", removed)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sweep failed")
            await asyncio.sleep(self.interval)
