"""The store's entry point: one transaction per service call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import make_transient

from icgpu.db.engine import make_engine, make_sessionmaker
from icgpu.db.migrate import upgrade

DRY_RUN = "icgpu.dry_run"


def is_dry_run(session: AsyncSession) -> bool:
    return bool(session.info.get(DRY_RUN))


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url, immediate=True)
        self.read_engine: AsyncEngine = make_engine(url) if url.startswith("sqlite") else self.engine
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

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only; nothing it does is committed."""
        async with self._read_sessions() as session:
            yield session

    async def migrate(self) -> None:
        await upgrade(self.engine)

    async def close(self) -> None:
        for engine in self.engines:
            await engine.dispose()
