"""The shared background-loop primitives: a worker always stops, and a wait never eats a cancellation."""

from __future__ import annotations

import asyncio

import pytest

from icgpu.tasks import stop_task, wait_event

pytestmark = pytest.mark.db_independent


async def test_stop_task_stops_a_task_that_swallows_a_cancellation() -> None:
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                swallowed += 1
                if swallowed > 1:
                    raise

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(stop_task(task), 5.0)
    assert task.cancelled() and swallowed == 2


async def test_wait_event_ends_on_the_event_or_the_time_limit() -> None:
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    start = loop.time()
    await wait_event(event, 0.05)
    assert loop.time() - start >= 0.05
    event.set()
    await asyncio.wait_for(wait_event(event, 3600), 1.0)


async def test_a_cancellation_reaching_wait_event_as_the_event_is_set_propagates() -> None:
    """The race Python 3.11's wait_for loses (the event set and the task cancelled in one step)."""
    for _ in range(200):
        event = asyncio.Event()
        waiter = asyncio.create_task(wait_event(event, 3600))
        await asyncio.sleep(0)
        event.set()
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
