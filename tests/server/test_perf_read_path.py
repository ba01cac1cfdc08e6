"""The request path's shortcuts keep their contracts: SQLite's read engine (one trip to aiosqlite's
thread per statement, a pool that still ends a transaction left open) and reading a page of rows by
position (``api/rows.py``) only when every row comes from the same result."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text

from icgpu.api.rows import getter
from icgpu.db.database import read_engine_for


def run(make: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(asyncio.wait_for(make(), 60))


def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'reads.db'}"


def test_statements_rows_and_counts_as_before_in_one_trip_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trips: list[str] = []
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)

    async def go() -> None:
        engine = read_engine_for(url(tmp_path))
        try:
            async with engine.begin() as c:
                await c.execute(text("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)"))
                inserted = await c.execute(text("INSERT INTO t (a, b) VALUES (:a, :b)"),
                                           [{"a": i, "b": f"row {i}"} for i in range(1, 6)])
                assert inserted.rowcount == 5
                one = await c.execute(text("INSERT INTO t (b) VALUES ('last')"))
                assert one.lastrowid == 6
            async with engine.connect() as c:
                trips.clear()
                result = await c.execute(text("SELECT a, b FROM t WHERE a > :n ORDER BY a"), {"n": 1})
                # BEGIN, then the query: a trip each (cursor, run and fetch together; close not waited for)
                assert trips == ["_run", "_run"], trips
                assert result.fetchone() == (2, "row 2")
                assert result.fetchmany(2) == [(3, "row 3"), (4, "row 4")]
                assert result.fetchall() == [(5, "row 5"), (6, "last")]
                updated = await c.execute(text("UPDATE t SET b = 'x' WHERE a <= 3"))
                assert updated.rowcount == 3
                assert (await c.execute(text("SELECT count(*) FROM t WHERE b = 'x'"))).scalar_one() == 3
                with pytest.raises(Exception, match="no such table"):
                    await c.execute(text("SELECT * FROM missing"))
        finally:
            await engine.dispose()

    run(go)


def test_a_connection_returned_inside_a_transaction_is_rolled_back(tmp_path: Path) -> None:
    """The pool skips the second rollback a session's close would cause, never the one that ends
    a transaction still open: the next borrower starts clean and sees no uncommitted write."""

    async def go() -> None:
        engine = read_engine_for(url(tmp_path))
        try:
            async with engine.begin() as c:
                await c.execute(text("CREATE TABLE t (a INTEGER)"))
            c = await engine.connect()
            raw = await c.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, aiosqlite.Connection)
            await driver.execute("BEGIN")  # behind SQLAlchemy's back: it sees no transaction
            await driver.execute("INSERT INTO t VALUES (1)")
            assert driver.in_transaction
            await c.close()  # back to the pool
            assert not driver.in_transaction
            async with engine.connect() as again:
                assert (await again.get_raw_connection()).driver_connection is driver  # the same one, reused
                assert (await again.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
        finally:
            await engine.dispose()

    run(go)


def test_rows_are_read_by_position_only_when_they_share_one_result(tmp_path: Path) -> None:
    async def go() -> None:
        engine = read_engine_for(url(tmp_path))
        try:
            async with engine.connect() as c:
                page = (await c.execute(text("SELECT 1 AS a, 'x' AS b, 2 AS c UNION ALL SELECT 3, 'y', 4"))).all()
                other = (await c.execute(text("SELECT 5 AS c, 'z' AS b, 6 AS a"))).all()
        finally:
            await engine.dispose()
        get = getter(page, ("c", "a"))
        assert get is not None
        assert [get(r) for r in page] == [(r.c, r.a) for r in page] == [(2, 1), (4, 3)]
        assert getter(page + other, ("c", "a")) is None  # two results: their columns may differ
        assert getter(page, ("a", "nope")) is None
        assert getter([], ("a",)) is None
        assert getter([object()], ("a",)) is None

    run(go)
