"""Sliding-window rate limits per account and route group (``api`` = /api/v1, ``llm`` = /v1).

The window is exact: each account keeps the timestamps of its requests in the last window.
State is per process; a multi-replica deployment needs a shared store (noted in docs/).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from icgpu.errors import Throttled


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


class RateLimiter:
    MAX_KEYS = 100_000

    def __init__(self, limits: dict[str, int], window_seconds: float) -> None:
        self.limits = limits
        self.window = window_seconds
        self._hits: dict[tuple[str, str], deque[float]] = {}

    def hit(self, account_id: str, group: str) -> Quota:
        limit = self.limits[group]
        now = time.monotonic()
        hits = self._hits.get((account_id, group))
        if hits is None:
            if len(self._hits) >= self.MAX_KEYS:
                self._evict(now)
            hits = self._hits[(account_id, group)] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= limit:
            retry = max(1, math.ceil(hits[0] + self.window - now))
            quota = Quota(limit, 0, retry)
            raise Throttled(
                f"rate limit of {limit} requests per {self.window:g}s exceeded; retry after {retry}s",
                headers={**quota.headers(), "Retry-After": str(retry)},
            )
        hits.append(now)
        reset = max(1, math.ceil(hits[0] + self.window - now))
        return Quota(limit, limit - len(hits), reset)

    def _evict(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
