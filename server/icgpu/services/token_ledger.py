"""Metering amortised across calls: a per-process, per-tenant lease of tokens (docs/tokens.md).

With ``llm_metering_flush_ms`` = 0 every call reserves and settles in the database
(``TokenService.reserve``/``settle``/``release``). Above 0 the /v1 gateway meters through this ledger:

- **The block.** The process holds a block of the tenant's tokens in the database: ONE reservation
  row (``token_reservations``, model ``lease``) with the usual expiry, counted in the balance's
  ``reserved`` like any call's hold. A call takes its hold from the block in memory; when the block
  cannot cover it, the block grows in one transaction (by up to ``BLOCK_CALLS`` such calls, as far
  as the available balance allows), or the call gets 402 ``InsufficientTokens``. Every call's hold
  is covered by the block in the database, so the balance never goes below zero, whatever other
  processes do.
- **Settlements** are kept in memory and written in batches, one transaction per tenant per batch:
  the usage rows, the balance charge (``balance`` and ``reserved`` both drop by the batch's charges),
  the block's shrink (and its expiry pushed back) and the spending alerts' crossing check over the
  batch (``spending_alerts.evaluate``: a crossing fires once, however the calls were batched). A
  batch is written every ``llm_metering_flush_ms``, at once when it reaches ``MAX_BATCH`` calls,
  before this process reads the tenant's balance or usage (``TokenService.balance``/``usage``, so
  reads are exact), and at shutdown. A block no call used during a whole interval goes back.
- **A crash** loses the charges of at most one interval (in the customer's favour); the block's row
  expires and the sweep (or the next reserve that needs the tokens) gives it back.
- ``X-Tokens-Remaining`` is computed from what this process last read of the balance, minus its
  own charges not yet written: exact with one API process, approximate with several.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_tokens import TokenBalance, TokenReservation, TokenUsage
from icgpu.errors import InsufficientTokens
from icgpu.ids import new_id
from icgpu.services import spending_alerts
from icgpu.services.tokens import (
    MAX_MODEL,
    Reservation,
    Settlement,
    TokenService,
    _check_amount,
    _check_count,
    _stored,
    charge_for,
    release_expired,
)
from icgpu.settings import Settings
from icgpu.tasks import stop_task

log = logging.getLogger(__name__)

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"  # ids.new_id's alphabet
_SPAN = 36**12


def _call_id(prefix: str) -> str:
    """An id of ``new_id``'s shape (12 random base-36 characters) from ONE read of the system's
    randomness: ``new_id`` reads it once per character, twelve system calls, on every gateway call."""
    n = int.from_bytes(os.urandom(10)) % _SPAN
    out = []
    for _ in range(12):
        n, digit = divmod(n, 36)
        out.append(_DIGITS[digit])
    return f"{prefix}-{''.join(out)}"


BLOCK_CALLS = 32  # a block grows by up to this many holds of the call that needs it
MAX_BATCH = 256  # settlements written at once, without waiting for the interval

_BAL: Table = TokenBalance.__table__  # type: ignore[assignment]
_RES: Table = TokenReservation.__table__  # type: ignore[assignment]
_USE: Table = TokenUsage.__table__  # type: ignore[assignment]
# Locks the balance row (the write every transaction here starts with) and reads it; .where() per tenant.
_LOCK_BALANCE = update(_BAL).values(reserved=_BAL.c.reserved).returning(_BAL.c.balance, _BAL.c.reserved)


@dataclass
class _Written:
    """What a committed transaction left: memory adopts it only after the commit."""

    balance: int
    reserved: int
    block_id: str | None
    block: int
    expires_at: datetime | None


@dataclass
class _Lease:
    tenant_id: str
    block_id: str | None = None  # the reservation row holding the block
    block: int = 0  # tokens the block's row holds in the database
    held: int = 0  # holds of calls in flight, taken from the block
    pending: list[dict[str, Any]] = field(default_factory=list)  # settled calls, usage rows to write
    pending_charged: int = 0  # their charges (still inside the block until written)
    balance: int = 0  # the balance as this process last knew it
    outside: int = 0  # the balance's available tokens outside this block, as last known
    expires_at: datetime | None = None
    used: bool = False  # a call took a hold since the last flush
    closing: bool = False  # the block is being given back: calls wait for the lock
    retired: bool = False  # forgotten by the ledger (nothing held, nothing pending): never used again
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def free(self) -> int:
        return 0 if self.closing or self.retired else self.block - self.held - self.pending_charged


class TokenLedger:
    """The gateway's ``Tokens``: reserve / settle / release through per-tenant leases."""

    def __init__(self, tokens: TokenService, db: Database, settings: Settings) -> None:
        self.tokens = tokens
        self.db = db
        self.settings = settings
        self.interval = settings.llm_metering_flush_ms / 1000.0
        self._leases: dict[str, _Lease] = {}
        self._holds: dict[str, _Lease] = {}  # a call's reservation id -> its lease
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        if self.enabled:
            tokens.ledger = self  # reads of the balance and usage flush first

    @property
    def enabled(self) -> bool:
        return self.interval > 0

    # -- the Tokens protocol ----------------------------------------------------------------------

    async def reserve(self, p: Principal, *, amount: int, model: str) -> Reservation:
        if not self.enabled:
            return await self.tokens.reserve(p, amount=amount, model=model)
        _check_amount(amount, "amount")
        for _ in range(100):  # a lease retired while this call waited for it: take the tenant's new one
            lease = self._leases.get(p.tenant_id)
            if lease is None:
                lease = self._leases[p.tenant_id] = _Lease(p.tenant_id)
            if lease.free >= amount:
                break
            async with lease.lock:
                if lease.retired:
                    continue
                if lease.free < amount:
                    await self._grow(lease, amount)
                break
        else:
            raise RuntimeError("token ledger: no lease for the call")  # unreachable: a retired lease is replaced
        lease.held += amount
        lease.used = True
        held = Reservation(id=_call_id("tres"), tenant_id=p.tenant_id, amount=amount,
                           model=_stored(model, MAX_MODEL) or "unknown", account_id=p.account_id,
                           expires_at=lease.expires_at or utcnow(), available=lease.outside + lease.free)
        self._holds[held.id] = lease
        return held

    async def settle(self, reservation: Any, *, prompt_tokens: int, completion_tokens: int, multiplier: float,
                     model: str, request_id: str | None, api_key_id: str | None) -> Settlement:
        lease = self._holds.get(getattr(reservation, "id", ""))
        if lease is None:
            return await self.tokens.settle(reservation, prompt_tokens=prompt_tokens,
                                            completion_tokens=completion_tokens, multiplier=multiplier,
                                            model=model, request_id=request_id, api_key_id=api_key_id)
        _check_count(prompt_tokens, "prompt_tokens")
        _check_count(completion_tokens, "completion_tokens")
        charged = min(charge_for(prompt_tokens, completion_tokens, multiplier), reservation.amount)
        del self._holds[reservation.id]
        lease.held -= reservation.amount
        usage_id = _call_id("tuse")
        lease.pending.append({
            "id": usage_id, "tenant_id": lease.tenant_id, "account_id": reservation.account_id,
            "api_key_id": _stored(api_key_id, 40), "request_id": _stored(request_id, 200),
            "model": _stored(model, MAX_MODEL) or reservation.model, "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens, "multiplier": float(multiplier), "charged": charged,
            "created_at": utcnow()})
        lease.pending_charged += charged
        remaining = max(lease.balance - lease.pending_charged, 0)
        if len(lease.pending) >= MAX_BATCH:
            await self.flush(lease.tenant_id)
        return Settlement(charged=charged, remaining=remaining, usage_id=usage_id)

    async def release(self, reservation: Any) -> int:
        lease = self._holds.pop(getattr(reservation, "id", ""), None)
        if lease is None:
            return await self.tokens.release(reservation)
        lease.held -= reservation.amount
        return max(lease.balance - lease.pending_charged, 0)

    # -- hooks of TokenService ------------------------------------------------------------------

    def credited(self, tenant_id: str, amount: int, balance: int) -> None:
        """A credit committed in this process: the balance it left."""
        lease = self._leases.get(tenant_id)
        if lease is not None:
            lease.balance = balance
            lease.outside += amount

    async def flush(self, tenant_id: str | None = None) -> None:
        """Write the pending settlements (of one tenant, or all): before a read of the balance or usage."""
        if not self.enabled:
            return
        if tenant_id is None:
            leases = list(self._leases.values())
        else:
            leases = [self._leases[tenant_id]] if tenant_id in self._leases else []
        for lease in leases:
            if lease.pending or (lease.block_id is not None and lease.held == 0):
                async with lease.lock:
                    # With no call in flight the block goes back too, so ``reserved`` reads exact.
                    await self._write(lease, give_back=lease.held == 0)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.create_task(self._run(), name="token-ledger")

    async def stop(self) -> None:
        """Write every pending settlement and give every block back (shutdown)."""
        task, self._task = self._task, None
        await stop_task(task)
        for lease in list(self._leases.values()):
            with contextlib.suppress(Exception):
                async with lease.lock:
                    await self._write(lease, give_back=lease.held == 0)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            for lease in list(self._leases.values()):
                try:
                    await self._tick(lease)
                except asyncio.CancelledError:
                    raise
                except Exception:  # the next interval tries again; the batch is kept
                    log.exception("token ledger: writing tenant %s's settlements failed", lease.tenant_id)

    async def _tick(self, lease: _Lease) -> None:
        ttl = self.settings.token_reservation_seconds
        async with lease.lock:
            idle = not lease.used and lease.held == 0
            ageing = lease.expires_at is not None and lease.expires_at - utcnow() < timedelta(seconds=ttl / 2)
            if lease.pending or (lease.block_id is not None and (idle or ageing)):
                await self._write(lease, give_back=idle)
            if not lease.used and lease.held == 0 and not lease.pending and lease.block_id is None:
                # Nothing left: forget the tenant. A call waiting for this lock sees ``retired`` and
                # starts a new lease, so nothing is ever added to one no flush would find.
                lease.retired = True
                self._leases.pop(lease.tenant_id, None)
            lease.used = False

    # -- the database ------------------------------------------------------------------------------

    async def _write(self, lease: _Lease, *, give_back: bool) -> None:
        """One transaction: the batch's usage rows, its charge, the block's shrink (or return)."""
        batch, charged = lease.pending, sum(int(row["charged"]) for row in lease.pending)
        if not batch and not give_back and lease.block_id is None:
            return
        lease.pending = []
        lease.closing = give_back
        try:
            async with self.db.transaction() as s:
                written = await self._apply(s, lease, batch, charged, give_back=give_back)
        except BaseException:
            lease.pending = batch + lease.pending
            raise
        finally:
            lease.closing = False
        lease.pending_charged -= charged
        self._adopt(lease, written)

    @staticmethod
    def _adopt(lease: _Lease, written: _Written) -> None:
        lease.balance = written.balance
        lease.outside = max(written.balance - written.reserved, 0)
        lease.block_id, lease.block, lease.expires_at = written.block_id, written.block, written.expires_at

    async def _apply(self, s: AsyncSession, lease: _Lease, batch: list[dict[str, Any]], charged: int, *,
                     give_back: bool) -> _Written:
        tenant = lease.tenant_id
        keep = lease.block - charged if not give_back else 0
        expires = utcnow() + timedelta(seconds=self.settings.token_reservation_seconds)
        covered = False
        if lease.block_id is not None:
            if keep > 0:
                gone = await s.execute(update(_RES).where(_RES.c.id == lease.block_id)
                                       .values(amount=keep, expires_at=expires))
            else:
                gone = await s.execute(delete(_RES).where(_RES.c.id == lease.block_id))
            covered = gone.rowcount == 1  # type: ignore[attr-defined]
        hinted = s.get_bind().dialect.name == "sqlite"
        highest: int | None = None
        if covered:
            stmt = (update(_BAL).where(_BAL.c.tenant_id == tenant)
                    .values(balance=_BAL.c.balance - charged, reserved=_BAL.c.reserved - (lease.block - keep),
                            updated_at=utcnow()))
            row = (await s.execute(stmt.returning(_BAL.c.balance, _BAL.c.reserved,
                                                  spending_alerts.highest_armed(_BAL.c.tenant_id)))).one()
            after, reserved = int(row[0]), int(row[1])
            highest = None if row[2] is None else int(row[2])
        else:
            # The block's row is gone (swept after a stall longer than its expiry): charge what the
            # batch used as far as the available balance covers it, and no more.
            hinted = False
            locked = (await s.execute(_LOCK_BALANCE.where(_BAL.c.tenant_id == tenant))).one_or_none()
            available = max(int(locked[0]) - int(locked[1]), 0) if locked is not None else 0
            short = max(charged - available, 0)
            for row_ in reversed(batch):  # the usage rows still add up to the balance's drop
                cut = min(short, int(row_["charged"]))
                row_["charged"] -= cut
                short -= cut
            real = sum(int(r["charged"]) for r in batch)
            after, reserved = (int(locked[0]), int(locked[1])) if locked is not None else (0, 0)
            if real:
                row = (await s.execute(update(_BAL).where(_BAL.c.tenant_id == tenant)
                                       .values(balance=_BAL.c.balance - real, updated_at=utcnow())
                                       .returning(_BAL.c.balance, _BAL.c.reserved))).one()
                after, reserved = int(row[0]), int(row[1])
            charged = real
            keep = 0
        if batch:
            await s.execute(insert(_USE), batch)
        if charged:
            await spending_alerts.evaluate(s, tenant, before=after + charged, after=after, highest=highest,
                                           hinted=hinted)
        return _Written(after, reserved, lease.block_id if keep > 0 else None, keep, expires if keep > 0 else None)

    async def _grow(self, lease: _Lease, amount: int) -> None:
        """Make the block cover ``amount`` more (with the batch written in the same transaction), or
        raise 402 when the available balance cannot."""
        batch, charged = lease.pending, sum(int(row["charged"]) for row in lease.pending)
        lease.pending = []
        refused: InsufficientTokens | None = None
        try:
            async with self.db.transaction() as s:
                written = await self._apply(s, lease, batch, charged, give_back=False)
                try:
                    written = await self._enlarge(s, lease, written, amount, charged)
                except InsufficientTokens as exc:  # the batch is still written
                    refused = exc
        except BaseException:
            lease.pending = batch + lease.pending
            raise
        lease.pending_charged -= charged
        self._adopt(lease, written)
        if refused is not None:
            raise refused

    async def _enlarge(self, s: AsyncSession, lease: _Lease, written: _Written, amount: int, batched: int) -> _Written:
        """Grow the block (its row made when there is none) by what this call lacks, and up to
        ``BLOCK_CALLS`` such calls as far as the available balance allows; 402 when it cannot."""
        tenant = lease.tenant_id
        free = written.block - lease.held - (lease.pending_charged - batched)
        need = amount - free
        locked = (await s.execute(_LOCK_BALANCE.where(_BAL.c.tenant_id == tenant))).one_or_none()
        available = max(int(locked[0]) - int(locked[1]), 0) if locked is not None else 0
        if available < need and await release_expired(s, tenant):
            # Holds of crashed calls or processes count until swept: this tenant's were, look once more.
            locked = (await s.execute(_LOCK_BALANCE.where(_BAL.c.tenant_id == tenant))).one_or_none()
            available = max(int(locked[0]) - int(locked[1]), 0) if locked is not None else 0
        if locked is None or available < need:
            balance, reserved = (int(locked[0]), int(locked[1])) if locked is not None else (0, 0)
            raise InsufficientTokens(
                f"insufficient tokens: this call may use up to {amount} tokens and the balance has "
                f"{available + max(free, 0)} available ({balance} in total, {reserved} held by calls in flight); "
                "purchase more tokens (POST /api/v1/tokens/purchase)", code="InsufficientTokens")
        grow = max(need, min(available, amount * BLOCK_CALLS - free))
        now = utcnow()
        expires = now + timedelta(seconds=self.settings.token_reservation_seconds)
        block_id = written.block_id
        if block_id is None:
            block_id = new_id("tres")
            await s.execute(insert(_RES).values(id=block_id, tenant_id=tenant, account_id=None, model="lease",
                                                amount=written.block + grow, expires_at=expires, created_at=now))
        else:
            await s.execute(update(_RES).where(_RES.c.id == block_id)
                            .values(amount=written.block + grow, expires_at=expires))
        row = (await s.execute(update(_BAL).where(_BAL.c.tenant_id == tenant)
                               .values(reserved=_BAL.c.reserved + grow, updated_at=now)
                               .returning(_BAL.c.balance, _BAL.c.reserved))).one()
        return _Written(int(row[0]), int(row[1]), block_id, written.block + grow, expires)
