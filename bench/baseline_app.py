"""The floor for bench/list_instances.py: a bare Starlette + SQLAlchemy async app.

``GET /instances?account=<id>&tenant=<id>&maxResults=100`` runs ONE ``SELECT`` (SQLAlchemy Core,
no ORM objects) for the same rows and columns as ``GET /api/v1/instances`` called by that account:
the same visibility rule (the account's own live instances and those shared with a team it is in,
the team ids read by a subquery in the same statement), the same order, and the same JSON shape
(``{"instances": [...], "nextToken": null}``, every field REST returns). bench/list_instances.py
checks that its body equals REST's before measuring. No authentication, no rate limit, no
pagination token, no middleware: whatever IC GPU spends beyond this is framework, auth and
application overhead.

It reads through IC GPU's own read engine (``icgpu.db.database.read_engine_for``: the same SQLite
pragmas, pool and driver adapter as the server's reads) and table definition (same column types,
so datetimes come back as the same UTC values), so the comparison isolates the request path rather
than the database driver. Run by bench/list_instances.py as::

    python bench/baseline_app.py --port 8123 --database-url sqlite+aiosqlite:////path/icgpu.db
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from sqlalchemy import or_, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from icgpu.db.database import read_engine_for
from icgpu.db.tables import Instance, TeamMember
from icgpu.services.tiers import TIERS

T = Instance.__table__
M = TeamMember.__table__
COLUMNS = (T.c.id, T.c.name, T.c.tier, T.c.workload_type, T.c.storage_gb, T.c.ssh_key, T.c.ssh_key_group_id,
           T.c.team_id, T.c.status, T.c.status_reason, T.c.ssh_host, T.c.ssh_port, T.c.account_id, T.c.created_at,
           T.c.updated_at, T.c.terminated_at, T.c.auto_stop_after_minutes, T.c.auto_stop_at)


def make_app(database_url: str) -> Starlette:
    engine = read_engine_for(database_url)

    async def instances(request: Request) -> JSONResponse:
        size = min(max(int(request.query_params.get("maxResults", "50")), 1), 100)
        account = request.query_params["account"]
        my_teams = select(M.c.team_id).where(M.c.account_id == account)
        stmt = (
            select(*COLUMNS)
            .where(T.c.tenant_id == request.query_params["tenant"],
                   or_(T.c.account_id == account, T.c.team_id.in_(my_teams)),
                   T.c.status != "terminated")
            .order_by(T.c.created_at, T.c.id)
            .limit(size)
        )
        async with engine.connect() as conn:
            rows = (await conn.execute(stmt)).mappings().all()
        items: list[dict[str, Any]] = [{
            "id": r["id"],
            "name": r["name"],
            "tier": r["tier"],
            "workload_type": r["workload_type"],
            "storage_gb": r["storage_gb"],
            "ssh_key": r["ssh_key"],
            "ssh_key_group": r["ssh_key_group_id"],
            "team_id": r["team_id"],
            "status": r["status"],
            "status_reason": r["status_reason"],
            "ssh_host": r["ssh_host"],
            "ssh_port": r["ssh_port"],
            "hourly_price": float(TIERS[r["tier"]].hourly_price(r["workload_type"])),
            "account_id": r["account_id"],
            "created_at": r["created_at"].isoformat(),
            "updated_at": r["updated_at"].isoformat(),
            "terminated_at": r["terminated_at"].isoformat() if r["terminated_at"] else None,
            "auto_stop_after_minutes": r["auto_stop_after_minutes"],
            "auto_stop_at": r["auto_stop_at"].isoformat() if r["auto_stop_at"] else None,
        } for r in rows]
        return JSONResponse({"instances": items, "nextToken": None})

    async def readyz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ready"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await engine.dispose()

    app = Starlette(routes=[Route("/instances", instances), Route("/readyz", readyz)], lifespan=lifespan)
    app.state.engine = engine  # bench/sql_count.py listens on it to count the statements
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", default=os.environ.get("ICGPU_DATABASE_URL"))
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url (or ICGPU_DATABASE_URL) is required")
    # The same uvicorn settings as `icgpu serve` (cli.py): default loop/http (uvloop + httptools
    # when installed), lifespan on, one worker.
    uvicorn.run(make_app(args.database_url), host=args.host, port=args.port, log_level=args.log_level,
                ws="websockets-sansio", lifespan="on")


if __name__ == "__main__":
    main()
