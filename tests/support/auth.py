"""Helpers for the authentication and validation tests.

- ``assert_error``: the shared error body (type, code, message, request id echoed in X-Request-Id,
  optional field) and no Python traceback in the response;
- direct database access with the server's own ``db_url`` (counting rows to prove nothing was
  written, inserting and changing API keys, which have no CRUD routes yet);
- hand-built JWTs: unsigned (``alg: none``), HMAC-signed, or signed by any RSA key under any kid.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth import api_keys
from icgpu.auth.dev_issuer import DevIssuer
from icgpu.db.engine import make_engine
from icgpu.db.tables import Account, ApiKey, Event, IdempotencyRecord, Instance, Tenant
from icgpu.ids import new_id
from icgpu.settings import Settings
from tests.support.server import Server

T = TypeVar("T")

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "site-packages")


# -- responses -----------------------------------------------------------------------------------

def assert_no_traceback(r: httpx.Response) -> None:
    for marker in TRACEBACK_MARKERS:
        assert marker not in r.text, f"response leaks a Python traceback ({marker!r}): {r.text[:2000]}"


def assert_error(r: httpx.Response, status: int, type_: str, *, field: str | None = None,
                 code: str | None = None) -> dict[str, Any]:
    """Assert the documented error body and return its ``error`` object."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text[:2000]}"
    assert_no_traceback(r)
    assert r.headers.get("content-type", "").startswith("application/json"), r.headers
    body = r.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err["type"] == type_, err
    assert isinstance(err["message"], str) and err["message"], err
    assert isinstance(err["code"], str) and err["code"], err
    rid = err["request_id"]
    assert isinstance(rid, str) and rid, err
    assert rid == r.headers.get("x-request-id"), (rid, r.headers)
    if field is not None:
        assert err.get("field") == field, err
    if code is not None:
        assert err["code"] == code, err
    return dict(err)


# -- the database behind a server ----------------------------------------------------------------

def run_db(server: Server, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``fn`` in one committed transaction on the server's database (a fresh engine each call;
    on SQLite it starts with BEGIN IMMEDIATE, like the server's own writes, so it waits its turn)."""

    async def go() -> T:
        engine = make_engine(server.db_url, immediate=True)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as s, s.begin():
                return await fn(s)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def db_counts(server: Server, tenant: str | None = None) -> dict[str, int]:
    """Row counts that any accepted write would change; events and instances also for ``tenant``."""

    async def count(s: AsyncSession) -> dict[str, int]:
        out: dict[str, int] = {}
        for name, model in (("tenants", Tenant), ("accounts", Account), ("api_keys", ApiKey),
                            ("instances", Instance), ("idempotency_keys", IdempotencyRecord)):
            out[name] = int(await s.scalar(select(func.count()).select_from(model)) or 0)
        if tenant is not None:
            tid = await s.scalar(select(Tenant.id).where(Tenant.name == tenant))
            assert tid, f"no tenant {tenant!r}"
            out["tenant_events"] = int(await s.scalar(
                select(func.count()).select_from(Event).where(Event.tenant_id == tid)) or 0)
            out["tenant_instances"] = int(await s.scalar(
                select(func.count()).select_from(Instance).where(Instance.tenant_id == tid)) or 0)
        return out

    return run_db(server, count)


def resource_events(server: Server, resource_id: str) -> int:
    async def count(s: AsyncSession) -> int:
        return int(await s.scalar(
            select(func.count()).select_from(Event).where(Event.resource_id == resource_id)) or 0)

    return run_db(server, count)


def accounts_of(server: Server, tenant: str) -> list[str]:
    async def emails(s: AsyncSession) -> list[str]:
        rows = await s.scalars(select(Account.email).join(Tenant, Tenant.id == Account.tenant_id)
                               .where(Tenant.name == tenant).order_by(Account.email))
        return list(rows)

    return run_db(server, emails)


def insert_api_key(server: Server, account_id: str, *, scopes: list[str], permissions: list[str],
                   expires_at: datetime | None = None, revoked_at: datetime | None = None) -> str:
    """Store a new API key for ``account_id`` directly in api_keys; returns the secret key."""
    key = api_keys.generate()

    async def insert(s: AsyncSession) -> None:
        tenant_id = await s.scalar(select(Account.tenant_id).where(Account.id == account_id))
        assert tenant_id, account_id
        s.add(ApiKey(id=new_id("ak"), tenant_id=tenant_id, account_id=account_id, name="test",
                     prefix=api_keys.display_prefix(key), key_hash=api_keys.digest(key),
                     scopes=scopes, permissions=permissions, expires_at=expires_at, revoked_at=revoked_at))

    run_db(server, insert)
    return key


def update_api_key(server: Server, key: str, **values: Any) -> None:
    async def upd(s: AsyncSession) -> None:
        res = await s.execute(update(ApiKey).where(ApiKey.key_hash == api_keys.digest(key)).values(**values))
        assert res.rowcount == 1  # type: ignore[attr-defined]

    run_db(server, upd)


# -- tokens --------------------------------------------------------------------------------------

def dev_issuer(server: Server) -> DevIssuer:
    """The server's own development issuer (same key file in its data dir, same issuer URL)."""
    return DevIssuer(Settings(data_dir=server.tmp / "data", public_url=server.url))


def dev_key(server: Server) -> RSAKey:
    return RSAKey.import_key((server.tmp / "data" / "dev-oidc-key.pem").read_bytes())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj: Any) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def unsigned_token(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A JWS with an empty signature, built by hand (what ``alg: none`` tokens look like)."""
    return f"{b64json(header)}.{b64json(claims)}."


def hmac_token(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(sig)}"


def rsa_token(claims: dict[str, Any], key: RSAKey, kid: str | None, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": kid, "typ": "JWT"}, claims, key)


def decode_segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))
