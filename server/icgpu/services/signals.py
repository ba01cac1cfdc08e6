"""In-process wake-ups after a commit: the reconciler and the event bus react at once instead of
waiting for their next poll. Losing a signal only costs latency, never correctness."""

from __future__ import annotations

from collections.abc import Callable


class Signals:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def connect(self, fn: Callable[[], None]) -> None:
        self._listeners.append(fn)

    def changed(self) -> None:
        for fn in self._listeners:
            fn()
