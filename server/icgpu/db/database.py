"""The store's entry point: one transaction per service call, and one read session per request.

Within ``request_scope()`` (entered once per HTTP request by ``api/middleware.py``) every
``read()`` block lends the same session, opened on first use, so a request's reads share one
connection checkout and one read transaction. A block that finds it lent out (a concurrent
GraphQL resolver, a nested read) gets a session of its own, so nothing waits and nothing
deadlocks. A committed write ends the shared read transaction, so later reads see the write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

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


def _sqlite_read_engine(url: str) -> AsyncEngine:
    """SQLite's engine for reads. A session hands its connection back to the pool after rolling
    back its own transaction, and the pool's default reset would roll back a second time: on
    aiosqlite each rollback is a round trip to the connection's thread. Here the pool rolls back
    only a connection that really is inside a transaction (returned by a path that did not end
    it), which is all the default reset achieves."""
    engine = make_engine(url, pool_reset_on_return=None)

    @event.listens_for(engine.sync_engine, "reset")
    def _end_open_transaction(dbapi_conn: Any, _record: Any, state: PoolResetState) -> None:
        if state.asyncio_safe and not state.terminate_only and dbapi_conn.driver_connection.in_transaction:
            dbapi_conn.rollback()

    return engine


_shared_read: ContextVar[_SharedRead | None] = ContextVar("icgpu_shared_read", default=None)


def is_dry_run(session: AsyncSession) -> bool:
    return bool(session.info.get(DRY_RUN))


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url, immediate=True)
        self.read_engine: AsyncEngine = _sqlite_read_engine(url) if url.startswith("sqlite") else self.engine
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
        """
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
        shared = _shared_read.get()
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
