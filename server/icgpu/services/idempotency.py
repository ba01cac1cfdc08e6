"""Idempotency keys: the first response to a write is stored per account and replayed.

``begin`` claims the key with a unique-constrained insert, so of two concurrent requests with the
same key exactly one proceeds; the other waits for its response and replays it. The same key with
different parameters is a 409. A request that failed with a server error releases its key.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import IdempotencyRecord
from icgpu.errors import Conflict, ValidationError

MAX_KEY_LEN = 255
WAIT_SECONDS = 15.0
STALE_CLAIM = timedelta(minutes=2)


def fingerprint(*parts: bytes) -> str:
    """What identifies a request's parameters: a digest of its parts, each length-prefixed."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Replay:
    status: int
    body: str
    headers: dict[str, str]


@dataclass(frozen=True)
class Claim:
    record_id: int


class IdempotencyService:
    def __init__(self, db: Database, ttl_hours: int) -> None:
        self.db = db
        self.ttl = timedelta(hours=ttl_hours)

    async def begin(self, account_id: str, key: str, fingerprint: str) -> Claim | Replay:
        if not key or len(key) > MAX_KEY_LEN or not key.isprintable():
            raise ValidationError(f"Idempotency-Key must be 1-{MAX_KEY_LEN} printable characters",
                                  field="Idempotency-Key")
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                async with self.db.transaction() as s:
                    rec = IdempotencyRecord(account_id=account_id, key=key, fingerprint=fingerprint,
                                            state="in_progress")
                    s.add(rec)
                    await s.flush()
                    return Claim(rec.id)
            except IntegrityError:
                pass
            async with self.db.transaction() as s:
                found = await s.scalar(select(IdempotencyRecord).where(
                    IdempotencyRecord.account_id == account_id, IdempotencyRecord.key == key))
                if found is None:
                    continue  # released meanwhile: claim it
                age = utcnow() - found.created_at
                if age > self.ttl or (found.state == "in_progress" and age > STALE_CLAIM):
                    await s.delete(found)  # expired, or its request died: start afresh
                    continue
                if found.fingerprint != fingerprint:
                    raise Conflict("this Idempotency-Key was already used with different parameters",
                                   code="IdempotencyKeyReused")
                if found.state == "done" and found.status_code is not None:
                    return Replay(found.status_code, found.response_body or "", dict(found.response_headers or {}))
            if time.monotonic() > deadline:
                raise Conflict("a request with this Idempotency-Key is still in progress",
                               code="IdempotencyKeyInProgress")
            await asyncio.sleep(0.05)

    async def complete(self, claim: Claim, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == claim.record_id)
                            .values(state="done", status_code=status, response_body=body,
                                    response_headers=headers or None))

    async def release(self, claim: Claim) -> None:
        async with self.db.transaction() as s:
            await s.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == claim.record_id))

    async def sweep(self) -> int:
        async with self.db.transaction() as s:
            res = await s.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.created_at < utcnow() - self.ttl))
            return int(res.rowcount or 0)  # type: ignore[attr-defined]
