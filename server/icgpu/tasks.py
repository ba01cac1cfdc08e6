"""Two asyncio primitives every background loop shares: waiting for an event with a time limit,
and stopping a task, both safe against Python 3.11's ``asyncio.wait_for``, which can swallow a
cancellation that arrives just as the awaited event is set (CPython gh-86296): the loop then goes on,
and a ``cancel(); await task`` at shutdown waits for it forever with the event loop idle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)

STOP_ROUNDS = 10  # cancellations sent to a task that does not end, one a second, before giving up on it


async def wait_event(event: asyncio.Event, seconds: float) -> None:
    """Until ``event`` is set or ``seconds`` have passed (``asyncio.timeout`` converts only its own
    cancellation into TimeoutError; a cancellation from outside always propagates)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


async def stop_task(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` and wait for it to end: at most ``STOP_ROUNDS`` seconds, cancelling again each
    second (a cancellation it swallowed is sent again); one that still runs is logged and left."""
    if task is None:
        return
    for _ in range(STOP_ROUNDS):
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=1.0)
        if done:
            if not task.cancelled() and task.exception() is not None:
                log.error("task %s ended with an error", task.get_name(), exc_info=task.exception())
            return
    log.error("task %s did not end after %d cancellations; left running", task.get_name(), STOP_ROUNDS)
