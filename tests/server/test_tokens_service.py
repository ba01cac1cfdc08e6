"""TokenService at the service level, on the configured backend (SQLite or PostgreSQL): many
parallel reserve/settle/release cycles against a small balance never take it below zero, and the
usage rows add up exactly to the charges and to the balance drop; the charge rule; the sweep of a
crashed call's hold; balance.low firing once per crossing and re-arming, balance.depleted at zero."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import Account, Event, Tenant
from icgpu.db.tables_tokens import Notification, TokenBalance, TokenReservation, TokenUsage
from icgpu.errors import InsufficientTokens, ValidationError
from icgpu.ids import new_id
from icgpu.services.pagination import PageCodec, PageRequest
from icgpu.services.spending_alerts import AlertCreate, AlertUpdate, NotifyVia, SpendingAlertService
from icgpu.services.tokens import Reservation, TokenPurchase, TokenService, charge_for
from icgpu.settings import Settings
from tests.support.server import drop_database, new_database_url


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    url, pg_name = new_database_url(tmp_path)
    yield url
    if pg_name:
        drop_database(pg_name)


async def _setup(url: str, tmp: Path) -> tuple[Database, TokenService, SpendingAlertService, Principal]:
    db = Database(url)
    await db.migrate()
    tenant_id, account_id = new_id("ten"), new_id("acc")
    async with db.transaction() as s:
        s.add(Tenant(id=tenant_id, name=f"t-{tenant_id}"))
        await s.flush()
        s.add(Account(id=account_id, tenant_id=tenant_id, email="owner@example.com", role="owner"))
    settings = Settings(data_dir=tmp, database_url=url)
    pages = PageCodec(b"k" * 32)
    p = Principal(account_id=account_id, tenant_id=tenant_id, email="owner@example.com", role="owner", via="oidc")
    return db, TokenService(db, settings, pages), SpendingAlertService(db, pages), p


async def _scalar(db: Database, stmt: object) -> int:
    async with db.read() as s:
        return int(await s.scalar(stmt) or 0)  # type: ignore[call-overload]


def test_charge_rule() -> None:
    assert charge_for(10, 20, 1.0) == 30
    assert charge_for(10, 20, 0.1) == 3  # decimal: not 3.0000000000000004 -> 4
    assert charge_for(1, 0, 1.5) == 2  # ceil
    assert charge_for(0, 0, 2.0) == 0
    with pytest.raises(ValidationError):
        charge_for(1, 1, -1.0)
    with pytest.raises(ValidationError):
        charge_for(1, 1, float("nan"))


def test_parallel_calls_never_take_the_balance_below_zero(db_url: str, tmp_path: Path) -> None:
    start, calls = 1_000, 60

    async def run() -> None:
        db, tokens, alerts, p = await _setup(db_url, tmp_path)
        try:
            await tokens.grant(p.tenant_id, start, note="test")
            alert = await alerts.create(p, AlertCreate(name="half", threshold=start // 2))
            rng = random.Random(7)
            # (hold, completion, multiplier, fate): settle, release (nothing used), or crash (never settled:
            # a short expiry, given back by the sweeps that run meanwhile).
            plans = [(rng.randint(20, 120), rng.randint(0, 150), rng.choice((1.0, 1.5, 0.5)),
                      rng.choices(("settle", "release", "crash"), (80, 10, 10))[0]) for _ in range(calls)]
            charged: list[int] = []
            refused = 0
            low_seen: list[int] = []
            stop = asyncio.Event()

            async def watch() -> None:  # the balance and holds, read while the calls run; sweeps too
                for _ in range(10_000):
                    if stop.is_set():
                        return
                    b = await tokens.balance(p)
                    low_seen.append(min(b.balance, b.balance - b.reserved))
                    await tokens.sweep()
                    await asyncio.sleep(0.005)

            async def call(hold: int, used: int, mult: float, fate: str) -> None:
                nonlocal refused
                try:
                    r = await tokens.reserve(p, amount=hold, model="llama-3-8b",
                                             ttl_seconds=0.05 if fate == "crash" else None)
                except InsufficientTokens:
                    refused += 1
                    return
                if fate == "release":
                    await tokens.release(r)
                if fate != "settle":
                    return
                s = await tokens.settle(r, prompt_tokens=hold // 2, completion_tokens=used, multiplier=mult,
                                        model="llama-3-8b", request_id=f"req-{id(r)}", api_key_id=None)
                assert 0 <= s.charged <= hold
                assert s.remaining >= 0
                charged.append(s.charged)

            watcher = asyncio.create_task(watch())
            await asyncio.wait_for(asyncio.gather(*(call(*plan) for plan in plans)), timeout=120)
            stop.set()
            await watcher
            await asyncio.sleep(0.06)
            await tokens.sweep()  # the last crashed holds
            b = await tokens.balance(p)
            assert refused > 0, "the balance was meant to run short"
            assert b.reserved == 0
            assert b.balance >= 0 and min(low_seen) >= 0
            usage_sum = await _scalar(db, select(func.sum(TokenUsage.charged)).where(
                TokenUsage.tenant_id == p.tenant_id))
            usage_rows = await _scalar(db, select(func.count()).select_from(TokenUsage).where(
                TokenUsage.tenant_id == p.tenant_id))
            assert usage_rows == len(charged)
            assert usage_sum == sum(charged) == start - b.balance
            assert await _scalar(db, select(func.count()).select_from(TokenReservation)) == 0
            # The balance only fell: balance.low fired exactly once, however the calls interleaved.
            assert b.balance < start // 2
            assert await _scalar(db, select(func.count()).select_from(Event).where(
                Event.type == "balance.low", Event.resource_id == alert.id)) == 1
            assert await _scalar(db, select(func.count()).select_from(Event).where(
                Event.type == "balance.depleted", Event.resource_id == alert.id)) == (1 if b.balance == 0 else 0)
        finally:
            await db.close()

    asyncio.run(run())


def test_reservations_hold_and_sweep(db_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        db, tokens, _alerts, p = await _setup(db_url, tmp_path)
        try:
            with pytest.raises(InsufficientTokens):  # no balance row yet
                await tokens.reserve(p, amount=1, model="m")
            await tokens.purchase(p, TokenPurchase(amount=100))
            held = await tokens.reserve(p, amount=80, model="m")
            assert held.available == 20
            with pytest.raises(InsufficientTokens) as err:
                await tokens.reserve(p, amount=30, model="m")
            assert "20 available" in err.value.message
            b = await tokens.balance(p)
            assert (b.balance, b.reserved, b.available) == (100, 80, 20)
            # A crashed call: its hold expires; the next reserve that needs it sweeps it.
            async with db.transaction() as s:
                await s.execute(update(TokenReservation).where(TokenReservation.id == held.id)
                                .values(expires_at=utcnow() - timedelta(seconds=1)))
            again = await tokens.reserve(p, amount=30, model="m")
            assert (await tokens.balance(p)).reserved == 30
            # The crashed call settles late: charged only what is available, never below zero.
            late = await tokens.settle(held, prompt_tokens=50, completion_tokens=50, multiplier=1.0, model="m",
                                       request_id=None, api_key_id=None)
            assert (late.charged, late.remaining) == (70, 30)
            assert (await tokens.balance(p)).available == 0
            assert await tokens.release(again) == 30
            assert (await tokens.balance(p)).reserved == 0
            # The periodic sweep.
            r = await tokens.reserve(p, amount=10, model="m", ttl_seconds=0.01)
            await asyncio.sleep(0.05)
            assert await tokens.sweep() == 1
            assert (await tokens.balance(p)).reserved == 0
            assert await tokens.release(r) == 30  # already swept: nothing to give back twice
            assert (await tokens.balance(p)).reserved == 0
            for bad in (0, -5, True, 10**13):
                with pytest.raises(ValidationError):
                    await tokens.reserve(p, amount=bad, model="m")
        finally:
            await db.close()

    asyncio.run(run())


def test_alerts_fire_once_per_crossing_and_rearm(db_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        db, tokens, alerts, p = await _setup(db_url, tmp_path)

        async def spend(n: int) -> None:
            r: Reservation = await tokens.reserve(p, amount=n, model="m")
            await tokens.settle(r, prompt_tokens=n, completion_tokens=0, multiplier=1.0, model="m",
                                request_id=None, api_key_id=None)

        async def events(type_: str, alert_id: str) -> int:
            return await _scalar(db, select(func.count()).select_from(Event).where(
                Event.type == type_, Event.resource_id == alert_id))

        try:
            await tokens.grant(p.tenant_id, 1000, note=None)
            hook = await alerts.create(p, AlertCreate(name="low", threshold=500))
            app = await alerts.create(p, AlertCreate(name="in-app", threshold=300, notify_via=NotifyVia.IN_APP))
            await spend(400)  # 600: above both
            assert await events("balance.low", hook.id) == 0
            await spend(200)  # 400: below 500
            await spend(50)  # 350: still below, no second firing
            assert await events("balance.low", hook.id) == 1
            assert await events("balance.low", app.id) == 0
            await spend(100)  # 250: below 300
            assert await events("balance.low", app.id) == 1
            await tokens.purchase(p, TokenPurchase(amount=300))  # 550: both re-armed
            await spend(100)  # 450: below 500 again
            assert await events("balance.low", hook.id) == 2
            await spend(450)  # 0: below 300 again, and depleted
            assert await events("balance.low", app.id) == 2
            assert await events("balance.depleted", hook.id) == 1
            assert await events("balance.depleted", app.id) == 1
            async with db.read() as s:
                notes = (await s.scalars(select(Notification).where(Notification.account_id == p.account_id)
                                         .order_by(Notification.created_at))).all()
                low = (await s.scalars(select(Event).where(Event.type == "balance.low",
                                                           Event.resource_id == hook.id))).first()
            assert [n.type for n in notes] == ["balance.low", "balance.low", "balance.depleted"]
            assert all(n.alert_id == app.id for n in notes)
            assert low is not None and low.data["threshold"] == 500 and low.data["alert_id"] == hook.id
            assert low.data["balance"] == 400 and low.account_id == p.account_id
            # A new threshold starts from where the balance is (0): below it, disarmed.
            await tokens.grant(p.tenant_id, 100, note=None)
            updated = await alerts.update(p, hook.id, AlertUpdate(threshold=50))
            assert updated.armed
            await spend(60)  # 40 < 50
            assert await events("balance.low", hook.id) == 3
            listed = await alerts.list(p, PageRequest())
            assert [a.id for a in listed.items] == [hook.id, app.id]
            b = await _scalar(db, select(TokenBalance.balance).where(TokenBalance.tenant_id == p.tenant_id))
            assert b == 40
        finally:
            await db.close()

    asyncio.run(run())
