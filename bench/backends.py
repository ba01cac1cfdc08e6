"""The database a benchmark run uses: a SQLite file in the run's temp dir, or a fresh PostgreSQL database.

For PostgreSQL the run is given the URL of a cluster it may create databases on (``scripts/pg-up.sh``
prints one); it creates ``icgpu_bench_<random>`` there, points every process at it, and drops it
at the end whatever happened. It never stops the cluster: others may be using it.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

from harness import BenchError

BACKENDS = ("sqlite", "postgresql")


@dataclass
class BenchDatabase:
    backend: str  # "sqlite" | "postgresql"
    url: str  # the SQLAlchemy URL every process of the run uses
    admin_url: str | None = None  # PostgreSQL: the cluster's database the run's one was created from
    name: str | None = None  # PostgreSQL: the run's own database, dropped by drop()

    @property
    def label(self) -> str:
        return "SQLite" if self.backend == "sqlite" else "PostgreSQL"

    def drop(self) -> None:
        if self.name is not None and self.admin_url is not None:
            _pg_exec(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.name = None


def create(backend: str, tmp: Path, cluster_url: str | None) -> BenchDatabase:
    """A fresh, empty database for the run."""
    if backend == "sqlite":
        return BenchDatabase("sqlite", f"sqlite+aiosqlite:///{tmp / 'icgpu.db'}")
    if backend != "postgresql":
        raise BenchError(f"unknown database {backend!r}: one of {', '.join(BACKENDS)}")
    if not cluster_url or not cluster_url.startswith("postgresql+asyncpg://"):
        raise BenchError("--database postgresql needs --database-url postgresql+asyncpg://... "
                         "(the URL scripts/pg-up.sh prints)")
    name = "icgpu_bench_" + uuid.uuid4().hex[:10]
    _pg_exec(cluster_url, f'CREATE DATABASE "{name}"')
    base, _, _ = cluster_url.rpartition("/")
    return BenchDatabase("postgresql", f"{base}/{name}", admin_url=cluster_url, name=name)


def _pg_exec(url: str, sql: str) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)

    async def run() -> None:
        conn = await asyncpg.connect(dsn, timeout=30)
        try:
            await conn.execute(sql, timeout=60)
        finally:
            await conn.close()

    try:
        asyncio.run(run())
    except (OSError, asyncpg.PostgresError) as err:
        raise BenchError(f"PostgreSQL at {url}: {sql}: {err}") from None


def tenant_id(database_url: str, name: str) -> str:
    """The id of the tenant called ``name`` (the baseline's WHERE clause needs it)."""
    from sqlalchemy import select

    from icgpu.db.engine import make_engine
    from icgpu.db.tables import Tenant

    async def run() -> str | None:
        engine = make_engine(database_url)
        try:
            async with engine.connect() as conn:
                found: str | None = await conn.scalar(select(Tenant.id).where(Tenant.name == name))
                return found
        finally:
            await engine.dispose()

    found = asyncio.run(run())
    if found is None:
        raise BenchError(f"tenant {name!r} not found in the database")
    return found
