"""Migration 0012: a model deployment's stored endpoints of the old form (``<URL>#<Model name>``, or a URL
alone) become {"url", "model"} objects, which the router reads back as targets; a downgrade writes the
strings again. On SQLite and PostgreSQL (JSON is stored differently by each)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command

from icgpu.db.engine import make_engine
from icgpu.db.migrate import alembic_config
from icgpu.services.model_replicas import Target, target_of
from tests.support.server import drop_database, new_database_url

KUBEAI = "http://kubeai/openai/v1"
OLD = [f"{KUBEAI}#mdl-k9-r0-1a2b3c4d", "http://127.0.0.1:41001/v1"]
DEPLOYMENTS = sa.table("model_deployments", *(sa.column(c) for c in (
    "id", "name", "model", "engine", "kind", "resource_profile", "min_replicas", "max_replicas", "has_hf_token",
    "status", "stopped", "desired_replicas", "ready_replicas", "gpu_replicas", "created_at", "updated_at")),
    sa.column("endpoints", sa.JSON))


def _to(revision: str, *, down: bool = False) -> Any:
    def run(connection: Any) -> None:
        cfg = alembic_config(str(connection.engine.url))
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, revision)

    return run


def _insert(connection: Any) -> None:
    now = datetime.now(UTC)
    connection.execute(sa.insert(DEPLOYMENTS).values(
        id="mdl-k9migrate0001", name="llama-3-8b", model="meta-llama/Meta-Llama-3-8B-Instruct", engine="vllm",
        kind="chat", resource_profile="nvidia-gpu-dedicated", min_replicas=0, max_replicas=2, has_hf_token=False,
        status="ready", stopped=False, desired_replicas=2, ready_replicas=2, gpu_replicas=0, created_at=now,
        updated_at=now, endpoints=OLD))


def _endpoints(connection: Any) -> Any:
    return connection.execute(sa.select(DEPLOYMENTS.c.endpoints)).scalar_one()


def test_old_form_endpoints_become_objects_and_go_back_on_downgrade(tmp_path: Path) -> None:
    url, pg_name = new_database_url(tmp_path)

    async def run() -> tuple[Any, Any]:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(_to("0011"))
                await conn.run_sync(_insert)
            async with engine.begin() as conn:
                await conn.run_sync(_to("head"))
                upgraded = await conn.run_sync(_endpoints)
            async with engine.begin() as conn:
                await conn.run_sync(_to("0011", down=True))
                downgraded = await conn.run_sync(_endpoints)
            return upgraded, downgraded
        finally:
            await engine.dispose()

    try:
        upgraded, downgraded = asyncio.run(run())
    finally:
        if pg_name:
            drop_database(pg_name)
    assert upgraded == [{"url": KUBEAI, "model": "mdl-k9-r0-1a2b3c4d"},
                        {"url": "http://127.0.0.1:41001/v1", "model": None}]
    assert [target_of(e) for e in upgraded] == [Target(KUBEAI, "mdl-k9-r0-1a2b3c4d"),
                                                Target("http://127.0.0.1:41001/v1")]
    assert downgraded == OLD
