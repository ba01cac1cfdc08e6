"""The in-process event bus: tails the outbox table and fans events out to live subscribers.

Only committed rows are ever read, so a subscriber never sees a change that rolled back. Sequence
numbers can commit out of order on PostgreSQL; a missing number is remembered as a gap and looked
for again for ``GAP_SECONDS`` so a late commit is still delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from icgpu.db.database import Database
from icgpu.db.tables import Event
from icgpu.tasks import stop_task, wait_event

log = logging.getLogger(__name__)
GAP_SECONDS = 10.0
BATCH = 500
QUEUE_SIZE = 1000


@dataclass(frozen=True)
class BusEvent:
    seq: int
    id: str
    type: str
    tenant_id: str
    account_id: str | None
    team_id: str | None
    resource_type: str
    resource_id: str
    data: dict[str, Any]
    created_at: datetime


class Subscription:
    def __init__(self, bus: EventBus, accept: Callable[[BusEvent], bool]) -> None:
        self.bus = bus
        self.accept = accept
        self.queue: asyncio.Queue[BusEvent | None] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, ev: BusEvent) -> None:
        if not self.accept(ev):
            return
        try:
            self.queue.put_nowait(ev)
        except asyncio.QueueFull:
            log.warning("subscriber too slow; closing its stream")
            self.close()

    def close(self) -> None:
        self.bus._subs.discard(self)
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[BusEvent]:
        try:
            while True:
                ev = await self.queue.get()
                if ev is None:
                    return
                yield ev
        finally:
            self.bus._subs.discard(self)


class EventBus:
    def __init__(self, db: Database, poll_interval: float) -> None:
        self.db = db
        self.poll_interval = poll_interval
        self._subs: set[Subscription] = set()
        self._last: int | None = None
        self._gaps: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, accept: Callable[[BusEvent], bool]) -> Subscription:
        sub = Subscription(self, accept)
        self._subs.add(sub)
        return sub

    def notify(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._last = await self._max_seq()
        self._task = asyncio.create_task(self._run(), name="event-bus")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await stop_task(task)
        for sub in list(self._subs):
            sub.close()

    async def _max_seq(self) -> int:
        async with self.db.read() as s:
            return int(await s.scalar(select(func.coalesce(func.max(Event.seq), 0))) or 0)

    async def _run(self) -> None:
        while True:
            await wait_event(self._wake, self.poll_interval)
            self._wake.clear()
            try:
                if self._subs:
                    await self.poll()
                else:
                    self._last = await self._max_seq()
                    self._gaps.clear()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event bus poll failed")
                await asyncio.sleep(1.0)

    async def poll(self) -> None:
        last = self._last or 0
        now = time.monotonic()
        self._gaps = {seq: t for seq, t in self._gaps.items() if now - t < GAP_SECONDS}
        cond = Event.seq > last
        if self._gaps:
            cond = or_(cond, Event.seq.in_(list(self._gaps)))
        async with self.db.read() as s:
            rows = (await s.scalars(select(Event).where(cond).order_by(Event.seq).limit(BATCH))).all()
        for row in rows:
            if row.seq in self._gaps:
                del self._gaps[row.seq]
            elif row.seq > last:
                for missing in range(max(last + 1, row.seq - BATCH), row.seq):
                    self._gaps[missing] = now
                last = row.seq
            ev = BusEvent(row.seq, row.id, row.type, row.tenant_id, row.account_id, row.team_id, row.resource_type,
                          row.resource_id, dict(row.data), row.created_at)
            for sub in list(self._subs):
                sub.offer(ev)
        self._last = last
        if len(rows) == BATCH:
            self._wake.set()
