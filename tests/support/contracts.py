"""Helpers for the shared-contract tests: instance requests, error-body checks and row counts."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.support.server import Server, wait_for

SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILtGK3OPT3yb55+33+VIorEs5hTYuNnb4X3/Waa9Si6w alice@laptop"
INSTANCES = "/api/v1/instances"
ERROR_KEYS = {"type", "code", "message", "request_id"}


@dataclass
class Caller:
    """One account on a server: its ids and an HTTP client for each of its credentials."""

    tenant: str
    account_id: str
    api: httpx.Client  # OIDC token
    key_api: httpx.Client  # API key


def caller(server: Server, tenant: str, email: str = "owner@example.com") -> Caller:
    """Bootstrap (or reuse) ``tenant`` with owner ``email`` through the CLI."""
    boot = server.bootstrap(tenant, email)
    return Caller(tenant, boot["account_id"], server.client(boot["oidc_token"]), server.client(boot["api_key"]))


def member(server: Server, tenant: str, email: str) -> httpx.Client:
    """A client for a second account in ``tenant``, created on its first OIDC sign-in."""
    return server.client(server.token(tenant, email))


def body(name: str, tier: str = "mig", **fields: Any) -> dict[str, Any]:
    return {"name": name, "tier": tier, "ssh_key": SSH, **fields}


def create(api: httpx.Client, name: str, tier: str = "mig", *, key: str | None = None, dry_run: bool = False,
           **fields: Any) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    params = {"dryRun": "true"} if dry_run else {}
    return api.post(INSTANCES, json=body(name, tier, **fields), headers=headers, params=params)


def new_instance(api: httpx.Client, name: str, tier: str = "mig", **fields: Any) -> dict[str, Any]:
    r = create(api, name, tier, **fields)
    assert r.status_code == 201, r.text
    inst: dict[str, Any] = r.json()
    assert inst["id"].startswith("inst-") and inst["name"] == name and inst["status"] == "pending"
    return inst


def get(api: httpx.Client, inst_id: str) -> dict[str, Any]:
    r = api.get(f"{INSTANCES}/{inst_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def act(api: httpx.Client, inst_id: str, verb: str, **headers: str) -> httpx.Response:
    """POST start/stop/requeue, or DELETE for ``verb == "delete"``."""
    if verb == "delete":
        return api.delete(f"{INSTANCES}/{inst_id}", headers=headers)
    return api.post(f"{INSTANCES}/{inst_id}/{verb}", headers=headers)


def wait_status(api: httpx.Client, inst_id: str, status: str, timeout: float = 15.0) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        inst = get(api, inst_id)
        return inst if inst["status"] == status else None

    return dict(wait_for(reached, timeout=timeout, what=f"{inst_id} to be {status}"))


def listed_ids(api: httpx.Client) -> list[str]:
    r = api.get(INSTANCES, params={"maxResults": 100})
    assert r.status_code == 200, r.text
    assert r.json()["nextToken"] is None
    return [i["id"] for i in r.json()["instances"]]


def assert_error(
    r: httpx.Response,
    status: int,
    type_: str,
    *,
    code: str | None = None,
    field: str | None = None,
    replayed: bool = False,
) -> dict[str, Any]:
    """The shared error body; its request_id is this response's X-Request-Id unless it is a replay."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text}"
    assert r.headers["content-type"].startswith("application/json"), r.headers
    data = r.json()
    assert set(data) == {"error"}, data
    err: dict[str, Any] = data["error"]
    assert ERROR_KEYS <= set(err) <= ERROR_KEYS | {"field"}, err
    assert err["type"] == type_, err
    assert isinstance(err["code"], str) and err["code"], err
    if code is not None:
        assert err["code"] == code, err
    assert isinstance(err["message"], str) and err["message"].strip(), err
    assert "Traceback" not in err["message"], err
    if field is not None:
        assert err.get("field") == field, err
    rid = r.headers.get("x-request-id")
    assert rid, r.headers
    assert isinstance(err["request_id"], str) and err["request_id"], err
    if not replayed:
        assert err["request_id"] == rid, (err, rid)
    return err


def count_rows(server: Server, model: Any, **where: Any) -> int:
    """Count rows of ``model`` (an icgpu.db.tables class) in the server's own database."""

    async def run() -> int:
        engine = create_async_engine(server.db_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                stmt = select(func.count()).select_from(model)
                for col, value in where.items():
                    stmt = stmt.where(getattr(model, col) == value)
                return int((await conn.execute(stmt)).scalar_one())
        finally:
            await engine.dispose()

    # A thread of its own, so the test thread's event loop (pytest-asyncio's) is never touched.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)
