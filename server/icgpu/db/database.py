"""The store's entry point: one transaction per service call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from icgpu.db.engine import make_engine, make_sessionmaker
from icgpu.db.migrate import upgrade


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
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block succeeds and rolls back on any exception."""
        async with self._sessions() as session, session.begin():
            yield session

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
