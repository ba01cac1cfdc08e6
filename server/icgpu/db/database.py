"""The store's entry point: one transaction per service call, and one read session per request.

Within ``request_scope()`` (entered once per HTTP request by ``api/middleware.py``) every
``read()`` block lends the same session, opened on first use, so a request's reads share one
connection checkout and one read transaction. A block that finds it lent out (a concurrent
GraphQL resolver, a nested read) gets a session of its own, so nothing waits and nothing
deadlocks. A committed write ends the shared read transaction, so later reads see the write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager as aiosqlite_result
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import make_transient
from sqlalchemy.pool import PoolResetState

from icgpu.db.engine import make_engine, make_sessionmaker
from icgpu.db.migrate import upgrade

DRY_RUN = "icgpu.dry_run"


class _SharedRead:
    """The read session of one request, lent to one ``read()`` block at a time."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self.session: AsyncSession | None = None
        self.lent = False
        self.open = True
        self.stale = False  # a write committed while the session was lent out

    def borrow(self) -> AsyncSession:
        if self.session is None:
            self.session = self.factory()
        self.lent = True
        return self.session

    async def give_back(self, *, failed: bool) -> None:
        self.lent = False
        if failed or self.stale or not self.open:
            await self.drop()

    async def drop(self) -> None:
        """End the read transaction; the next borrower starts a new one."""
        self.stale = False
        session, self.session = self.session, None
        if session is not None:
            await session.close()

    async def after_write(self) -> None:
        if self.lent:
            self.stale = True
        else:
            await self.drop()


def read_engine_for(url: str) -> AsyncEngine:
    """The engine reads use (``Database.read_engine``; bench/baseline_app.py uses it too, so the
    baseline reads through the same driver path)."""
    return sqlite_engine(url) if url.startswith("sqlite") else make_engine(url)


def sqlite_engine(url: str, *, immediate: bool = False) -> AsyncEngine:
    """A SQLite engine (reads, or with ``immediate`` the writes) with fewer trips to aiosqlite's
    connection thread (each is a queue put, a thread switch and a wake-up of the event loop):

    - a statement is one trip, not four (``_OneHopCursor``);
    - a session hands its connection back after committing or rolling back its own transaction,
      and the pool's default reset would roll back a second time. Here the pool rolls back only a
      connection that really is inside a transaction (returned by a path that did not end it),
      which is all the default reset achieves.
    """
    engine = make_engine(url, immediate=immediate, pool_reset_on_return=None)

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        # The same arguments SQLAlchemy would give aiosqlite.connect, to a connection of ours.
        return dialect.dbapi.connect(*cargs, async_creator_fn=_OneHopConnection.open, **cparams)

    @event.listens_for(engine.sync_engine, "reset")
    def _end_open_transaction(dbapi_conn: Any, _record: Any, state: PoolResetState) -> None:
        if state.asyncio_safe and not state.terminate_only and dbapi_conn.driver_connection.in_transaction:
            dbapi_conn.rollback()

    return engine


class _OneHopCursor(aiosqlite.Cursor):
    """aiosqlite's cursor, with one trip to the connection's thread per statement instead of
    four (make the cursor, run, fetch, close): the sqlite3 cursor is made, the statement run and,
    for a query, every row fetched in one trip (SQLAlchemy fetches them all at once anyway), and
    closing is queued to that thread without waiting for it."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.iter_chunk_size = conn._iter_chunk_size
        self._conn = conn
        self._cursor: sqlite3.Cursor | None = None  # type: ignore[assignment]  # made by the first statement
        self._rows: list[Any] = []

    def _run(self, method: str, *args: Any) -> None:  # on the connection's thread
        if self._cursor is None:
            self._cursor = self._conn._conn.cursor()
        getattr(self._cursor, method)(*args)
        self._rows = self._cursor.fetchall() if self._cursor.description else []

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> aiosqlite.Cursor:
        await self._conn._execute(self._run, "execute", sql, [] if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> aiosqlite.Cursor:
        await self._conn._execute(self._run, "executemany", sql, parameters)
        return self

    async def executescript(self, sql_script: str) -> aiosqlite.Cursor:
        await self._conn._execute(self._run, "executescript", sql_script)
        return self

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = (self._cursor.arraysize if self._cursor is not None else 1) if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []
        if self._cursor is not None:
            self._conn._tx.put_nowait((None, self._cursor.close))


class _OneHopConnection(aiosqlite.Connection):
    @staticmethod
    def open(database: str, **kwargs: Any) -> aiosqlite.Connection:
        """What ``aiosqlite.connect`` does, with this class (awaited by SQLAlchemy)."""
        conn = _OneHopConnection(partial(sqlite3.connect, database, **kwargs), 64)
        conn._thread.daemon = True  # as SQLAlchemy makes aiosqlite's own: never holds up exit
        return conn

    @aiosqlite_result
    async def cursor(self) -> aiosqlite.Cursor:
        return _OneHopCursor(self)


_shared_read: ContextVar[_SharedRead | None] = ContextVar("icgpu_shared_read", default=None)


def is_dry_run(session: AsyncSession) -> bool:
    return bool(session.info.get(DRY_RUN))


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        sqlite = url.startswith("sqlite")
        self.engine: AsyncEngine = sqlite_engine(url, immediate=True) if sqlite else make_engine(url)
        self.read_engine: AsyncEngine = sqlite_engine(url) if sqlite else self.engine
        self._sessions = make_sessionmaker(self.engine)
        self._read_sessions = make_sessionmaker(self.read_engine)

    @property
    def engines(self) -> tuple[AsyncEngine, ...]:
        return (self.engine,) if self.read_engine is self.engine else (self.engine, self.read_engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self, *, dry_run: bool = False) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block succeeds and rolls back on any exception.

        With ``dry_run`` the block runs exactly as it would for real, its changes are flushed (so the
        database's own constraints are checked too) and then rolled back; the objects it touched are
        detached first, so they keep the state the real call would have committed. Events recorded
        in a dry run are never written (``outbox.record`` skips them).

        The request's shared read session, when no block holds it, is closed first: a request that
        reads and then writes holds one connection at a time, so PostgreSQL's pool cannot run dry
        with every request holding a read connection while it waits for a write one (and on SQLite
        the write sees no older snapshot of the request's own). Its next read opens a new one.
        """
        shared = _shared_read.get()
        if shared is not None and not shared.lent and shared.session is not None:
            await shared.drop()
        async with self._sessions() as session:
            session.info[DRY_RUN] = dry_run
            deleted: list[object] = []
            if dry_run:
                event.listen(session.sync_session, "persistent_to_deleted", lambda _s, obj: deleted.append(obj))
            async with session.begin():
                yield session
                if dry_run:
                    await session.flush()
                    session.expunge_all()
                    for obj in deleted:  # a rollback would restore and expire them: let them go as they are
                        make_transient(obj)
                    await session.rollback()
        if shared is not None and not dry_run:
            await shared.after_write()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only; nothing it does is committed. Inside ``request_scope()`` it is
        the request's shared read session when that is free."""
        shared = _shared_read.get()
        if shared is None or not shared.open or shared.lent:
            async with self._read_sessions() as session:
                yield session
            return
        session = shared.borrow()
        failed = True
        try:
            yield session
            failed = False
        finally:
            await shared.give_back(failed=failed)

    @asynccontextmanager
    async def request_scope(self) -> AsyncIterator[None]:
        """Share one read session among the ``read()`` blocks of the enclosed work (one request)."""
        shared = _SharedRead(self._read_sessions)
        token = _shared_read.set(shared)
        try:
            yield
        finally:
            shared.open = False
            _shared_read.reset(token)
            if not shared.lent:
                await shared.drop()

    async def migrate(self) -> None:
        await upgrade(self.engine)

    async def close(self) -> None:
        for engine in self.engines:
            await engine.dispose()
