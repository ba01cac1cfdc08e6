"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from icgpu.api.rest.deps import PlatformDep
from icgpu.api.rest.route import CheckedRoute

router = APIRouter(tags=["health"], route_class=CheckedRoute)


@router.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(platform: PlatformDep) -> dict[str, Any]:
    async with platform.db.read() as s:
        await s.execute(text("SELECT 1"))
    return {"status": "ready", "database": platform.db.dialect}
