"""One asyncio task per worker, started and cancelled the same way everywhere."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from typing import Any

from icgpu.tasks import stop_task, wait_event

log = logging.getLogger(__name__)


class Background:
    _task: asyncio.Task[None] | None = None

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._task = asyncio.create_task(coro, name=name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        await stop_task(task)


class LevelTriggered(Background, ABC):
    """A reconciling worker: one ``reconcile_once`` pass every ``interval`` seconds, or sooner when
    ``wake`` is called (a change was committed). A failed pass is logged and the next one runs as
    usual: every pass reads the whole state again, so nothing is lost."""

    task_name = "worker"
    interval: float = 1.0
    _wake_event: asyncio.Event | None = None

    def wake(self) -> None:
        self._event().set()

    def start(self) -> None:
        self._spawn(self._run(), self.task_name)

    @abstractmethod
    async def reconcile_once(self) -> None:
        """One pass: read what the state wants, act, record what was seen."""

    def _event(self) -> asyncio.Event:
        if self._wake_event is None:
            self._wake_event = asyncio.Event()
        return self._wake_event

    async def _run(self) -> None:
        wake = self._event()
        while True:
            wake.clear()
            try:
                await self.reconcile_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s pass failed", self.task_name)
            await wait_event(wake, self.interval)
