"""Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from icgpu.db.base import Base
from icgpu.db.database import Database
from tests.support.server import drop_database, new_database_url


def _diff(connection: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                 Base.metadata))


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url, pg_name = new_database_url(tmp_path)

    async def run() -> list[Any]:
        db = Database(url)
        try:
            await db.migrate()
            await db.migrate()  # a second upgrade is a no-op
            async with db.engine.connect() as conn:
                return await conn.run_sync(_diff)
        finally:
            await db.close()

    try:
        diff = asyncio.run(run())
    finally:
        if pg_name:
            drop_database(pg_name)
    if diff:
        pytest.fail(f"models and migrations differ; add a migration: {diff}")


@pytest.mark.db_independent
def test_the_migrations_form_one_chain() -> None:
    """Families written side by side must be relinked into one line: a second head would make
    `upgrade head` fail on a fresh install."""
    from alembic.script import ScriptDirectory

    from icgpu.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()
    revisions = [r.revision for r in script.walk_revisions()]
    assert revisions == sorted(revisions, reverse=True), "each revision revises the one numbered before it"
