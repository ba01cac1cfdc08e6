"""The reservation sweeper: every ``token_sweep_interval_seconds`` it gives back the holds of
token reservations past their expiry (a call whose process crashed between reserve and settle).
``TokenService.reserve`` also sweeps the caller's tenant when a hold does not fit, so a crashed
call never blocks a tenant for longer than its reservation's expiry."""

from __future__ import annotations

import logging

from icgpu.services.tokens import TokenService
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)


class ReservationSweeper(LevelTriggered):
    task_name = "token-reservation-sweeper"

    def __init__(self, tokens: TokenService, interval: float) -> None:
        self.tokens = tokens
        self.interval = interval

    async def reconcile_once(self) -> None:
        released = await self.tokens.sweep()
        if released:
            log.info("released %d expired token reservations", released)
