"""The gateway's lease (services/token_ledger.py) at the service level, on the configured backend:
a crashed process's block is swept back; two processes (two Database pools, two ledgers) sharing a
small balance never take it below zero and their usage rows add up to the balance drop; a read of
the balance or usage writes the pending settlements first; balance.low fires once per crossing
however the charges were batched."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from icgpu.auth.principal import Principal
from icgpu.db.database import Database
from icgpu.db.tables import Account, Event, Tenant
from icgpu.db.tables_tokens import TokenBalance, TokenReservation, TokenUsage
from icgpu.errors import InsufficientTokens
from icgpu.ids import new_id
from icgpu.services.pagination import PageCodec, PageRequest
from icgpu.services.spending_alerts import AlertCreate, SpendingAlertService
from icgpu.services.token_ledger import TokenLedger
from icgpu.services.tokens import TokenService
from icgpu.settings import Settings
from tests.support.server import drop_database, new_database_url

FLUSH_MS = 60_000  # the background flush never runs during a test: the tests write the batches


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    url, pg_name = new_database_url(tmp_path)
    yield url
    if pg_name:
        drop_database(pg_name)


async def _tenant(db: Database) -> Principal:
    tenant_id, account_id = new_id("ten"), new_id("acc")
    async with db.transaction() as s:
        s.add(Tenant(id=tenant_id, name=f"t-{tenant_id}"))
        await s.flush()
        s.add(Account(id=account_id, tenant_id=tenant_id, email="owner@example.com", role="owner"))
    return Principal(account_id=account_id, tenant_id=tenant_id, email="owner@example.com", role="owner", via="oidc")


def _process(url: str, tmp: Path, **settings: float) -> tuple[Database, TokenService, TokenLedger]:
    """One server process's view: its own pool, token service and ledger."""
    db = Database(url)
    conf = Settings(data_dir=tmp, database_url=url, llm_metering_flush_ms=FLUSH_MS, **settings)  # type: ignore[arg-type]
    tokens = TokenService(db, conf, PageCodec(b"k" * 32))
    return db, tokens, TokenLedger(tokens, db, conf)


async def _row(db: Database, tenant_id: str) -> tuple[int, int]:
    async with db.read() as s:
        row = (await s.execute(select(TokenBalance.balance, TokenBalance.reserved)
                               .where(TokenBalance.tenant_id == tenant_id))).one()
    return int(row[0]), int(row[1])


async def _count(db: Database, stmt: object) -> int:
    async with db.read() as s:
        return int(await s.scalar(stmt) or 0)  # type: ignore[call-overload]


async def _call(ledger: TokenLedger, p: Principal, amount: int, used: int) -> int:
    held = await ledger.reserve(p, amount=amount, model="m")
    await asyncio.sleep(0)  # let other calls interleave while this one is in flight
    settled = await ledger.settle(held, prompt_tokens=used, completion_tokens=0, multiplier=1.0, model="m",
                                  request_id=None, api_key_id=None)
    return int(settled.charged)


def test_calls_hold_from_one_block_and_reads_flush_first(db_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        db, tokens, ledger = _process(db_url, tmp_path)
        try:
            await db.migrate()
            p = await _tenant(db)
            await tokens.grant(p.tenant_id, 10_000, note=None)
            for _ in range(5):
                assert await _call(ledger, p, 100, 30) == 30
            # One block in the database, nothing written yet: the charges are pending in memory.
            assert await _count(db, select(func.count()).select_from(TokenReservation)
                                .where(TokenReservation.tenant_id == p.tenant_id)) == 1
            assert await _count(db, select(func.count()).select_from(TokenUsage)) == 0
            balance, reserved = await _row(db, p.tenant_id)
            assert balance == 10_000 and reserved >= 100
            # A read of the balance writes them first, and gives the idle block back: exact.
            seen = await tokens.balance(p)
            assert (seen.balance, seen.reserved) == (10_000 - 150, 0)
            assert await _row(db, p.tenant_id) == (10_000 - 150, 0)
            assert await _count(db, select(func.count()).select_from(TokenReservation)) == 0
            # Usage too: a call settled after the balance read is listed by the next usage read.
            assert await _call(ledger, p, 100, 7) == 7
            rows = (await tokens.usage(p, PageRequest(max_results=100))).items
            assert sorted(r.charged for r in rows) == [7, 30, 30, 30, 30, 30]
            # Release gives the hold back to the block; the shutdown writes and returns everything.
            held = await ledger.reserve(p, amount=500, model="m")
            assert held.available is not None and held.available <= 10_000 - 157 - 500
            await ledger.release(held)
            await ledger.stop()
            assert await _row(db, p.tenant_id) == (10_000 - 157, 0)
        finally:
            await db.close()

    asyncio.run(run())


def test_a_crashed_process_block_is_swept_back(db_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        db, tokens, ledger = _process(db_url, tmp_path, token_reservation_seconds=0.5)
        try:
            await db.migrate()
            p = await _tenant(db)
            await tokens.grant(p.tenant_id, 1_000, note=None)
            assert await _call(ledger, p, 20, 10) == 10
            balance, reserved = await _row(db, p.tenant_id)
            assert balance == 1_000 and reserved > 0  # the block
            # The process dies: its pending charge is lost (the customer's favour), the block expires.
            deadline = time.monotonic() + 10
            swept = 0
            while time.monotonic() < deadline and not swept:
                swept = await tokens.sweep()
                if not swept:
                    await asyncio.sleep(0.1)
            assert swept == 1
            assert await _row(db, p.tenant_id) == (1_000, 0)
            # A new process starts from a clean balance and meters normally.
            db2, _tokens2, ledger2 = _process(db_url, tmp_path, token_reservation_seconds=0.5)
            try:
                assert await _call(ledger2, p, 20, 5) == 5
                await ledger2.stop()
                assert await _row(db2, p.tenant_id) == (995, 0)
            finally:
                await db2.close()
        finally:
            await db.close()

    asyncio.run(run())


def test_two_processes_never_take_a_small_balance_below_zero(db_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        one, two = _process(db_url, tmp_path), _process(db_url, tmp_path)
        funds = 2_000
        try:
            await one[0].migrate()
            p = await _tenant(one[0])
            await one[1].grant(p.tenant_id, funds, note=None)
            rng = random.Random(11)

            async def call(ledger: TokenLedger) -> int:
                amount = rng.randint(10, 60)
                try:
                    return await _call(ledger, p, amount, rng.randint(0, amount + 20))
                except InsufficientTokens:
                    return -1

            async def burst(ledger: TokenLedger, tokens: TokenService, calls: int) -> list[int]:
                out: list[int] = []
                for i in range(calls // 10):
                    out += await asyncio.gather(*(call(ledger) for _ in range(10)))
                    if i % 3 == 0:
                        await ledger.flush()  # batches of varied sizes
                    balance, reserved = await _row(one[0], p.tenant_id)
                    assert balance >= 0 and 0 <= reserved <= balance
                return out

            results = await asyncio.gather(burst(one[2], one[1], 120), burst(two[2], two[1], 120))
            charged = [c for r in results for c in r if c >= 0]
            assert any(c < 0 for r in results for c in r)  # the balance ran out: some calls were refused
            await one[2].stop()
            await two[2].stop()
            balance, reserved = await _row(one[0], p.tenant_id)
            assert balance >= 0 and reserved == 0
            total = await _count(one[0], select(func.coalesce(func.sum(TokenUsage.charged), 0))
                                 .where(TokenUsage.tenant_id == p.tenant_id))
            rows = await _count(one[0], select(func.count()).select_from(TokenUsage)
                                .where(TokenUsage.tenant_id == p.tenant_id))
            assert total == sum(charged) == funds - balance
            assert rows == len(charged)
        finally:
            await one[0].close()
            await two[0].close()

    asyncio.run(run())


def test_alerts_fire_once_per_crossing_across_batches(db_url: str, tmp_path: Path) -> None:
    async def run() -> None:
        db, tokens, ledger = _process(db_url, tmp_path)
        alerts = SpendingAlertService(db, PageCodec(b"k" * 32))
        try:
            await db.migrate()
            p = await _tenant(db)
            await tokens.grant(p.tenant_id, 1_000, note=None)
            hook = await alerts.create(p, AlertCreate(name="low", threshold=500))

            async def events(type_: str) -> int:
                return await _count(db, select(func.count()).select_from(Event).where(
                    Event.type == type_, Event.resource_id == hook.id))

            for _ in range(4):  # 1000 -> 600, one batch
                await _call(ledger, p, 100, 100)
            await ledger.flush()
            assert await events("balance.low") == 0
            for _ in range(3):  # 600 -> 300: crosses 500 inside this batch
                await _call(ledger, p, 100, 100)
            await ledger.flush()
            assert await events("balance.low") == 1
            for _ in range(2):  # 300 -> 100: still below, no second firing
                await _call(ledger, p, 100, 100)
            await ledger.flush()
            assert await events("balance.low") == 1
            await _call(ledger, p, 100, 100)  # 0: depleted, once
            await ledger.flush()
            assert await events("balance.depleted") == 1
            with pytest.raises(InsufficientTokens):
                await _call(ledger, p, 1, 1)
            await ledger.stop()
            assert await _row(db, p.tenant_id) == (0, 0)
        finally:
            await db.close()

    asyncio.run(run())


def test_calls_racing_the_background_flush_leave_nothing_behind(db_url: str, tmp_path: Path) -> None:
    """Calls arriving while the interval's flush gives an idle block back (and forgets the tenant)
    still land in a lease that is flushed: afterwards the reads are exact, nothing stays held."""
    async def run() -> None:
        db = Database(db_url)
        conf = Settings(data_dir=tmp_path, database_url=db_url, llm_metering_flush_ms=5)
        tokens = TokenService(db, conf, PageCodec(b"k" * 32))
        ledger = TokenLedger(tokens, db, conf)
        try:
            await db.migrate()
            p = await _tenant(db)
            await tokens.grant(p.tenant_id, 100_000, note=None)
            ledger.start()
            rng = random.Random(5)
            charged = 0
            for i in range(60):
                if i % 3 == 0:
                    await ledger.release(await ledger.reserve(p, amount=40, model="m"))
                else:
                    charged += await _call(ledger, p, 40, 10)
                await asyncio.sleep(rng.choice([0, 0.002, 0.005, 0.008, 0.012]))
            seen = await tokens.balance(p)
            assert (seen.balance, seen.reserved) == (100_000 - charged, 0)
            await ledger.stop()
            assert await _row(db, p.tenant_id) == (100_000 - charged, 0)
            assert await _count(db, select(func.coalesce(func.sum(TokenUsage.charged), 0))
                                .where(TokenUsage.tenant_id == p.tenant_id)) == charged
        finally:
            await ledger.stop()
            await db.close()

    asyncio.run(run())
