"""Prepaid tokens: each tenant's balance, purchases and operator grants, per-call usage, and the
reserve -> settle | release cycle the /v1 gateway runs around every call (docs/tokens.md).

- The balance lives in ``token_balances`` (one row per tenant, made on its first credit):
  ``balance`` moves only by credits and settled charges, ``reserved`` is what calls in flight hold,
  and ``balance - reserved`` is what a new call may reserve.
- ``reserve`` is ONE conditional UPDATE (``balance - reserved >= amount``): atomic on SQLite and
  PostgreSQL alike, with no read-then-write window; two calls can never hold the same tokens.
- ``settle`` charges ``min(ceil((prompt + completion) * multiplier), reserved)`` in one transaction
  with the usage row and the spending alerts' events, so the balance never goes below zero.
- A reservation carries an expiry: a crashed call's hold is given back by ``sweep`` (the
  ``ReservationSweeper`` worker, workers/token_sweeper.py) or by the next ``reserve`` that needs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from pydantic import AliasChoices, Field, model_validator
from sqlalchemy import Table, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import Tenant
from icgpu.db.tables_tokens import TokenBalance, TokenReservation, TokenUsage
from icgpu.db.tables_tokens import TokenPurchase as PurchaseRow
from icgpu.errors import AccessDenied, InsufficientTokens, NotFound, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id
from icgpu.services import spending_alerts
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.token_packages import PACKAGES, TokenPackage, packages
from icgpu.services.validation import Input, model_error, refused_character
from icgpu.settings import Settings

SCOPE = "tokens"
MAX_AMOUNT = 2_147_483_647  # one purchase, grant or reservation (GraphQL's Int); more is a typo
MAX_MODEL = 200
MAX_NOTE = 500
Purchase = PurchaseRow  # what purchase() and grant() return: the recorded credit

# Core statements on the tables: no ORM-enabled UPDATE/DELETE (no session synchronisation to run).
_BAL: Table = TokenBalance.__table__  # type: ignore[assignment]
_RES: Table = TokenReservation.__table__  # type: ignore[assignment]
_USE: Table = TokenUsage.__table__  # type: ignore[assignment]


class TokenPurchase(Input):
    """``{"amount": N}`` or ``{"packageId": "pkg-..."}`` (one of the two)."""

    amount: int | None = Field(default=None, ge=1, le=MAX_AMOUNT, strict=True,
                               description="tokens to add to the balance")
    package_id: str | None = Field(default=None, max_length=40,
                                   validation_alias=AliasChoices("packageId", "package_id"),
                                   description="buy one package of GET /api/v1/tokens/packages instead")

    @model_validator(mode="after")
    def _one_of(self) -> TokenPurchase:
        if (self.amount is None) == (self.package_id is None):
            raise model_error("amount", "give amount or packageId (one of the two)")
        if self.package_id is not None and self.package_id not in PACKAGES:
            raise model_error("packageId", f"unknown package '{self.package_id}'; "
                                           f"choose one of: {', '.join(PACKAGES)}")
        return self


@dataclass(frozen=True)
class Balance:
    tenant_id: str
    balance: int
    reserved: int
    updated_at: datetime | None

    @property
    def available(self) -> int:
        return max(self.balance - self.reserved, 0)


@dataclass(frozen=True)
class Reservation:
    id: str
    tenant_id: str
    amount: int
    model: str
    account_id: str | None
    expires_at: datetime
    available: int | None = None  # the tenant's available balance right after this hold


@dataclass(frozen=True)
class Settlement:
    charged: int
    remaining: int  # the balance after the charge
    usage_id: str


def _check_amount(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_AMOUNT:
        raise ValidationError(f"{field}: must be a whole number of tokens between 1 and {MAX_AMOUNT}", field=field)
    return value


def _check_count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"{field}: must be a whole number of tokens, 0 or more", field=field)
    return value


def _stored(text: str | None, limit: int) -> str | None:
    """``text`` as a column can hold it: control characters dropped (PostgreSQL refuses NUL), cut."""
    if text is None:
        return None
    if refused_character(text):
        text = "".join(ch for ch in text if not refused_character(ch))
    return text[:limit] or None


def charge_for(prompt_tokens: int, completion_tokens: int, multiplier: float) -> int:
    """ceil((prompt + completion) x multiplier), computed in decimal (0.1 x 30 is 3, not 4)."""
    if not math.isfinite(multiplier) or multiplier < 0:
        raise ValidationError("multiplier: must be a finite number, 0 or more", field="multiplier")
    return math.ceil(Decimal(prompt_tokens + completion_tokens) * Decimal(repr(float(multiplier))))


def parse_time(value: str | datetime | None, field: str) -> datetime | None:
    """An ISO 8601 instant (a time without an offset is UTC)."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)  # type: ignore[union-attr]
    text = value.strip()
    if len(text) > 64 or refused_character(text):
        raise ValidationError(f"{field}: must be an ISO 8601 time such as 2026-01-31T12:00:00Z", field=field)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{field}: must be an ISO 8601 time such as 2026-01-31T12:00:00Z", field=field) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def ensure_balance_row(s: AsyncSession, tenant_id: str) -> None:
    """The tenant's balance row, made at zero when missing (concurrent makers: one wins, none fails)."""
    dialect = s.get_bind().dialect.name
    values = {"tenant_id": tenant_id, "balance": 0, "reserved": 0, "updated_at": utcnow()}
    if dialect == "postgresql":
        await s.execute(postgresql.insert(_BAL).values(**values).on_conflict_do_nothing())
    else:
        await s.execute(sqlite.insert(_BAL).values(**values).on_conflict_do_nothing())


async def release_expired(s: AsyncSession, tenant_id: str) -> int:
    """Give back the holds of the tenant's reservations past their expiry (crashed calls); how many.

    Lock order: the balance row first, then the expired reservations, skipping (PostgreSQL) any a
    settling call has locked. A reserve whose conditional UPDATE failed may already hold the balance
    row (PostgreSQL keeps the lock of a row it re-checked and skipped), and a settle holds its own
    reservation and then waits for the balance row: taking reservations first, or waiting for a
    locked one, could close a cycle with either."""
    await s.execute(update(_BAL).where(_BAL.c.tenant_id == tenant_id).values(reserved=_BAL.c.reserved))
    expired = select(_RES.c.id).where(_RES.c.tenant_id == tenant_id, _RES.c.expires_at <= utcnow())
    if s.get_bind().dialect.name == "postgresql":
        expired = expired.with_for_update(skip_locked=True)
    amounts = (await s.execute(
        delete(_RES).where(_RES.c.id.in_(expired.scalar_subquery())).returning(_RES.c.amount))).scalars().all()
    if amounts:
        await s.execute(update(_BAL).where(_BAL.c.tenant_id == tenant_id)
                        .values(reserved=_BAL.c.reserved - sum(int(a) for a in amounts)))
    return len(amounts)


class LedgerHook(Protocol):
    async def flush(self, tenant_id: str | None = None) -> None: ...
    def credited(self, tenant_id: str, amount: int, balance: int) -> None: ...


class TokenService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        # The gateway's lease (services/token_ledger.py) when settlements are batched: reads of the
        # balance and usage write this process's pending settlements first, credits update it.
        self.ledger: LedgerHook | None = None

    # -- reads -----------------------------------------------------------------------------------

    async def balance(self, p: Principal) -> Balance:
        p.require(SCOPE, "read")
        if self.ledger is not None:
            await self.ledger.flush(p.tenant_id)
        async with self.db.read() as s:
            return await self._balance(s, p.tenant_id)

    def packages(self, p: Principal) -> list[TokenPackage]:
        """The token packages on offer, smallest first (the price list; ``tokens`` read)."""
        p.require(SCOPE, "read")
        return packages()

    async def usage(self, p: Principal, page: PageRequest, *, since: str | datetime | None = None,
                    until: str | datetime | None = None, model: str | None = None) -> Page[TokenUsage]:
        """The tenant's settled calls, oldest first, one page at a time; ``since`` inclusive,
        ``until`` exclusive."""
        p.require(SCOPE, "read")
        start, end = parse_time(since, "since"), parse_time(until, "until")
        if start is not None and end is not None and end <= start:
            raise ValidationError("until: must be later than since", field="until")
        if model is not None and (not model.strip() or len(model) > MAX_MODEL or refused_character(model)):
            raise ValidationError(f"model: must be a model name of 1 to {MAX_MODEL} characters, without control "
                                  "characters", field="model")
        stmt = select(TokenUsage).where(TokenUsage.tenant_id == p.tenant_id)
        if start is not None:
            stmt = stmt.where(TokenUsage.created_at >= start)
        if end is not None:
            stmt = stmt.where(TokenUsage.created_at < end)
        if model is not None:
            stmt = stmt.where(TokenUsage.model == model)
        if self.ledger is not None:
            await self.ledger.flush(p.tenant_id)
        scope = f"token-usage:{p.tenant_id}:{start and start.isoformat()}:{end and end.isoformat()}:{model}"
        async with self.db.read() as s:
            return await self.pages.fetch(s, stmt, page, scope=scope, model=TokenUsage)

    # -- credits ---------------------------------------------------------------------------------

    async def purchase(self, p: Principal, data: TokenPurchase, *, dry_run: bool = False) -> Purchase:
        """Credit the caller's tenant directly (this control plane takes no payment) and record it."""
        p.require(SCOPE, "write")
        if not self.settings.token_self_purchase:
            raise AccessDenied("self-service token purchase is switched off on this platform; an operator "
                               "credits tenants with 'icgpu admin tokens grant'", code="SelfPurchaseDisabled")
        package: TokenPackage | None = PACKAGES[data.package_id] if data.package_id is not None else None
        amount = package.tokens if package is not None else int(data.amount or 0)
        async with self.db.transaction(dry_run=dry_run) as s:
            row = await self._credit(s, p.tenant_id, amount, kind="purchase", account_id=p.account_id,
                                     package=package, note=None)
        if self.ledger is not None and not dry_run:
            self.ledger.credited(p.tenant_id, amount, row.balance_after)
        return row

    async def grant(self, tenant_id: str, amount: int, *, note: str | None) -> Purchase:
        """Credit a tenant (``icgpu admin tokens grant``): ``tenant_id`` is the tenant's id or name."""
        _check_amount(amount, "amount")
        if note is not None:
            note = note.strip() or None
            if note is not None and len(note) > MAX_NOTE:
                raise ValidationError(f"note: at most {MAX_NOTE} characters", field="note")
        if not tenant_id.strip() or len(tenant_id) > 100 or refused_character(tenant_id):
            raise ValidationError("tenant: name a tenant (its name or id)", field="tenant")
        async with self.db.transaction() as s:
            tenant = await s.scalar(select(Tenant).where(or_(Tenant.id == tenant_id, Tenant.name == tenant_id.strip())))
            if tenant is None:
                raise NotFound(f"tenant '{tenant_id}' not found")
            row = await self._credit(s, tenant.id, amount, kind="grant", account_id=None, package=None, note=note)
        if self.ledger is not None:
            self.ledger.credited(row.tenant_id, amount, row.balance_after)
        return row

    async def _credit(self, s: AsyncSession, tenant_id: str, amount: int, *, kind: str, account_id: str | None,
                      package: TokenPackage | None, note: str | None) -> Purchase:
        await ensure_balance_row(s, tenant_id)
        after = int((await s.execute(
            update(_BAL).where(_BAL.c.tenant_id == tenant_id)
            .values(balance=_BAL.c.balance + amount, updated_at=utcnow())
            .returning(_BAL.c.balance))).scalar_one())
        row = PurchaseRow(id=new_id("tpur"), tenant_id=tenant_id, account_id=account_id, kind=kind, amount=amount,
                          package_id=package.id if package else None, price=package.price if package else None,
                          note=note, balance_after=after, created_at=utcnow())
        s.add(row)
        outbox.record(s, f"tokens.{'purchased' if kind == 'purchase' else 'granted'}", tenant_id=tenant_id,
                      account_id=account_id, resource_type="token_purchase", resource_id=row.id,
                      data={"amount": amount, "balance": after, "package_id": row.package_id})
        await spending_alerts.evaluate(s, tenant_id, before=after - amount, after=after)
        await s.flush()
        return row

    # -- metering (the /v1 gateway) ----------------------------------------------------------------

    async def reserve(self, p: Principal, *, amount: int, model: str, ttl_seconds: float | None = None) -> Reservation:
        """Hold ``amount`` tokens of the caller's tenant, or 402 InsufficientTokens when the
        available balance (balance - reserved) cannot cover it."""
        _check_amount(amount, "amount")
        ttl = self.settings.token_reservation_seconds if ttl_seconds is None else ttl_seconds
        async with self.db.transaction() as s:
            available = await self._hold(s, p.tenant_id, amount)
            if available is None and await release_expired(s, p.tenant_id):
                # Holds of crashed calls count until swept: this tenant's were, look once more.
                available = await self._hold(s, p.tenant_id, amount)
            if available is None:
                have = await self._balance(s, p.tenant_id)
                raise InsufficientTokens(
                    f"insufficient tokens: this call may use up to {amount} tokens and the balance has "
                    f"{have.available} available ({have.balance} in total, {have.reserved} held by calls in "
                    "flight); purchase more tokens (POST /api/v1/tokens/purchase)", code="InsufficientTokens")
            now = utcnow()
            held = Reservation(id=new_id("tres"), tenant_id=p.tenant_id, amount=amount,
                               model=_stored(model, MAX_MODEL) or "unknown", account_id=p.account_id,
                               expires_at=now + timedelta(seconds=ttl), available=available)
            await s.execute(insert(_RES).values(
                id=held.id, tenant_id=held.tenant_id, account_id=held.account_id, model=held.model,
                amount=amount, expires_at=held.expires_at, created_at=now))
        return held

    async def settle(self, reservation: Reservation, *, prompt_tokens: int, completion_tokens: int,
                     multiplier: float, model: str, request_id: str | None, api_key_id: str | None) -> Settlement:
        """Charge what the call used (never more than it reserved), give back the rest, write the
        usage row and fire the spending alerts, in one transaction."""
        _check_count(prompt_tokens, "prompt_tokens")
        _check_count(completion_tokens, "completion_tokens")
        wanted = charge_for(prompt_tokens, completion_tokens, multiplier)
        tenant = reservation.tenant_id
        async with self.db.transaction() as s:
            gone = await s.execute(delete(_RES).where(_RES.c.id == reservation.id))
            # SQLite runs one writer at a time, so the highest armed threshold read with the charge
            # is current: a charge that crosses none skips the alerts (PostgreSQL's statement snapshot
            # may predate a concurrent commit, so there the alerts' own UPDATE decides).
            hinted = s.get_bind().dialect.name == "sqlite"
            highest: int | None = None
            if gone.rowcount == 1:  # type: ignore[attr-defined]
                charged = min(wanted, reservation.amount)
                stmt = (update(_BAL).where(_BAL.c.tenant_id == tenant)
                        .values(balance=_BAL.c.balance - charged,
                                reserved=_BAL.c.reserved - reservation.amount, updated_at=utcnow()))
                if hinted:
                    row = (await s.execute(stmt.returning(
                        _BAL.c.balance, spending_alerts.highest_armed(_BAL.c.tenant_id)))).one()
                    after, highest = int(row[0]), (None if row[1] is None else int(row[1]))
                else:
                    after = int((await s.execute(stmt.returning(_BAL.c.balance))).scalar_one())
            else:
                hinted = False
                # The hold expired and was swept (a call outlived the reservation's expiry): charge
                # what it used, as far as the available balance covers it (the row is locked first).
                locked = (await s.execute(
                    update(_BAL).where(_BAL.c.tenant_id == tenant)
                    .values(reserved=_BAL.c.reserved)
                    .returning(_BAL.c.balance, _BAL.c.reserved))).one_or_none()
                available = max(int(locked[0]) - int(locked[1]), 0) if locked is not None else 0
                charged = min(wanted, reservation.amount, available)
                after = int(locked[0]) if locked is not None else 0
                if charged:
                    after = int((await s.execute(
                        update(_BAL).where(_BAL.c.tenant_id == tenant)
                        .values(balance=_BAL.c.balance - charged, updated_at=utcnow())
                        .returning(_BAL.c.balance))).scalar_one())
            usage_id = new_id("tuse")
            await s.execute(insert(_USE).values(
                id=usage_id, tenant_id=tenant, account_id=reservation.account_id, api_key_id=_stored(api_key_id, 40),
                request_id=_stored(request_id, 200), model=_stored(model, MAX_MODEL) or reservation.model,
                prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, multiplier=float(multiplier),
                charged=charged, created_at=utcnow()))
            if charged:
                await spending_alerts.evaluate(s, tenant, before=after + charged, after=after, highest=highest,
                                               hinted=hinted)
        return Settlement(charged=charged, remaining=after, usage_id=usage_id)

    async def release(self, reservation: Reservation) -> int:
        """Give the whole hold back (the call used nothing); the balance, unchanged."""
        async with self.db.transaction() as s:
            gone = await s.execute(delete(_RES).where(_RES.c.id == reservation.id))
            if gone.rowcount == 1:  # type: ignore[attr-defined]
                after = (await s.execute(update(_BAL).where(_BAL.c.tenant_id == reservation.tenant_id)
                                         .values(reserved=_BAL.c.reserved - reservation.amount)
                                         .returning(_BAL.c.balance))).scalar_one_or_none()
                if after is not None:
                    return int(after)
            return (await self._balance(s, reservation.tenant_id)).balance

    async def sweep(self, *, tenants: int = 500) -> int:
        """Release every expired reservation (the sweeper's pass), one transaction per tenant; how many."""
        async with self.db.read() as s:
            due = (await s.scalars(select(_RES.c.tenant_id).where(_RES.c.expires_at <= utcnow())
                                   .distinct().limit(tenants))).all()
        released = 0
        for tenant_id in due:
            async with self.db.transaction() as s:
                released += await release_expired(s, tenant_id)
        return released

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    async def _hold(s: AsyncSession, tenant_id: str, amount: int) -> int | None:
        """Hold ``amount`` if the available balance covers it (one conditional UPDATE); the
        available balance after the hold, or None when it did not fit."""
        row = (await s.execute(
            update(_BAL)
            .where(_BAL.c.tenant_id == tenant_id, _BAL.c.balance - _BAL.c.reserved >= amount)
            .values(reserved=_BAL.c.reserved + amount, updated_at=utcnow())
            .returning(_BAL.c.balance, _BAL.c.reserved))).one_or_none()
        return None if row is None else int(row[0]) - int(row[1])

    @staticmethod
    async def _balance(s: AsyncSession, tenant_id: str) -> Balance:
        row = (await s.execute(select(_BAL.c.balance, _BAL.c.reserved, _BAL.c.updated_at)
                               .where(_BAL.c.tenant_id == tenant_id)
                               .execution_options(populate_existing=True))).one_or_none()
        if row is None:
            return Balance(tenant_id, 0, 0, None)
        return Balance(tenant_id, int(row[0]), int(row[1]), row[2])
