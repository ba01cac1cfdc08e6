"""A short-lived memo of API-key principals, so a request with a key costs no database read.

Bounds, documented in docs/configuration.md (``ICGPU_API_KEY_CACHE_SECONDS``):
- a revoked key is refused at once by the process that revoked it (``forget``), and by any other
  server process on the same database within ``ttl`` seconds;
- a key's expiry is checked on every hit, so an expired key is never accepted;
- at most ``max_entries`` keys are kept (the oldest entry is dropped first).
Only valid keys are cached: a wrong key always reaches the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from icgpu.auth.principal import Principal


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires_at: datetime | None  # the key's own expiry
    cached_until: float  # monotonic


class KeyCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}

    def get(self, digest: str, now: datetime) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry.cached_until <= time.monotonic() or (entry.expires_at is not None and entry.expires_at <= now):
            del self._entries[digest]
            return None
        return entry.principal

    def put(self, digest: str, principal: Principal, expires_at: datetime | None) -> None:
        if self.ttl <= 0:
            return
        self._entries.pop(digest, None)
        while len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[digest] = _Entry(principal, expires_at, time.monotonic() + self.ttl)

    def forget(self, api_key_id: str) -> None:
        """Drop every entry of this key (revocation in this process takes effect at once)."""
        for digest in [d for d, e in self._entries.items() if e.principal.api_key_id == api_key_id]:
            del self._entries[digest]
