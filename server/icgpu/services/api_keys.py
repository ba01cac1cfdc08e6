"""API keys: created with scopes, permissions and an expiry; the secret is shown once.

A key never grants more than its creator holds: its scopes and permissions must be within the
creating credential's, and a key made with a key cannot outlive it. Events: key.created,
key.deleted (revoked) and key.expired (sent once, by the expiry sweeper).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import select, update

from icgpu.auth import api_keys as material
from icgpu.auth.key_cache import KeyCache
from icgpu.auth.principal import ALL_SCOPES, PERMISSIONS, Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import ApiKey
from icgpu.errors import AccessDenied, NotFound
from icgpu.events import outbox
from icgpu.ids import new_id
from icgpu.services import access
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.validation import Input

SCOPE = "keys"
MAX_DAYS = 3650


class ApiKeyCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=50,
                              json_schema_extra={"items": {"type": "string", "enum": list(ALL_SCOPES)}})
    permissions: list[str] = Field(default_factory=lambda: ["read"], min_length=1, max_length=10,
                                   json_schema_extra={"items": {"type": "string", "enum": list(PERMISSIONS)}})
    expires_in_days: int | None = Field(default=None, ge=1, le=MAX_DAYS, strict=True)

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, v: list[str]) -> list[str]:
        return _known(v, ALL_SCOPES, "scope")

    @field_validator("permissions")
    @classmethod
    def _permissions(cls, v: list[str]) -> list[str]:
        return _known(v, PERMISSIONS, "permission")


def _known(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    """``values`` without repeats, in the catalogue's order; any unknown one is a 400."""
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} '{unknown[0]}'; choose from: {', '.join(allowed)}")
    return sorted(set(values), key=allowed.index)


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    secret: str | None  # shown once; None in a dry run


def key_event_data(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "scopes": key.scopes,
            "permissions": key.permissions, "expires_at": key.expires_at.isoformat() if key.expires_at else None}


class ApiKeyService:
    def __init__(self, db: Database, pages: PageCodec, signals: Signals, key_cache: KeyCache) -> None:
        self.db = db
        self.key_cache = key_cache
        self.pages = pages
        self.signals = signals

    async def create(self, principal: Principal, data: ApiKeyCreate, *, dry_run: bool = False) -> CreatedKey:
        principal.require(SCOPE, "write")
        beyond = [s for s in data.scopes if s not in principal.scopes]
        beyond += [p for p in data.permissions if p not in principal.permissions]
        if beyond:
            raise AccessDenied(f"a key cannot grant more than its creator holds: '{beyond[0]}' is not yours to give",
                               code="ExceedsCreatorGrant")
        now = utcnow()
        expires = now + timedelta(days=data.expires_in_days) if data.expires_in_days else None
        async with self.db.transaction(dry_run=dry_run) as s:
            ceiling = await self._creator_expiry(s, principal)
            if ceiling is not None and (expires is None or expires > ceiling):
                expires = ceiling  # a key made with a key dies with it
            secret = material.generate()
            key = ApiKey(id=new_id("ak"), tenant_id=principal.tenant_id, account_id=principal.account_id,
                         name=data.name, prefix=material.display_prefix(secret), key_hash=material.digest(secret),
                         scopes=data.scopes, permissions=data.permissions, expires_at=expires, created_at=now)
            s.add(key)
            outbox.record(s, "key.created", tenant_id=key.tenant_id, account_id=key.account_id,
                          resource_type="api_key", resource_id=key.id, data=key_event_data(key))
        if dry_run:
            return CreatedKey(key, None)
        self.signals.changed()
        return CreatedKey(key, secret)

    async def _creator_expiry(self, s: Any, principal: Principal) -> datetime | None:
        if principal.api_key_id is None:
            return None
        return await s.scalar(select(ApiKey.expires_at).where(ApiKey.id == principal.api_key_id))  # type: ignore[no-any-return]

    async def list(self, principal: Principal, page: PageRequest) -> Page[ApiKey]:
        principal.require(SCOPE, "read")
        stmt = select(ApiKey).where(access.owned_by(principal, ApiKey), ApiKey.revoked_at.is_(None))
        async with self.db.read() as s:
            return await self.pages.fetch(s, stmt, page, scope=f"api-keys:{principal.account_id}", model=ApiKey)

    async def get(self, principal: Principal, key_id: str) -> ApiKey:
        """One of the caller's keys; a revoked key reads as not found, like a deleted resource."""
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            return await self._live_key(s, principal, key_id)

    async def revoke(self, principal: Principal, key_id: str, *, dry_run: bool = False) -> ApiKey:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            key = await self._live_key(s, principal, key_id, for_update=True)
            key.revoked_at = utcnow()
            outbox.record(s, "key.deleted", tenant_id=key.tenant_id, account_id=key.account_id,
                          resource_type="api_key", resource_id=key.id, data=key_event_data(key))
        if not dry_run:
            self.key_cache.forget(key.id)  # refused at once here; other processes within the cache's bound
            self.signals.changed()
        return key

    @staticmethod
    async def _live_key(s: Any, principal: Principal, key_id: str, *, for_update: bool = False) -> ApiKey:
        key: ApiKey = await access.load_visible(s, principal, ApiKey, key_id, "ak", "API key", for_update=for_update)
        if key.revoked_at is not None:
            raise NotFound(f"API key {key_id} not found")
        return key

    async def announce_expired(self, limit: int = 500) -> int:
        """Write key.expired once for each key whose expiry has passed (any number of workers)."""
        now = utcnow()
        sent = 0
        async with self.db.transaction() as s:
            due = (await s.scalars(select(ApiKey).where(
                ApiKey.expires_at <= now, ApiKey.expiry_announced_at.is_(None), ApiKey.revoked_at.is_(None),
            ).limit(limit))).all()
            for key in due:
                claimed = await s.execute(update(ApiKey).where(ApiKey.id == key.id,
                                                               ApiKey.expiry_announced_at.is_(None))
                                          .values(expiry_announced_at=now))
                if claimed.rowcount:  # type: ignore[attr-defined]
                    outbox.record(s, "key.expired", tenant_id=key.tenant_id, account_id=key.account_id,
                                  resource_type="api_key", resource_id=key.id, data=key_event_data(key))
                    sent += 1
        if sent:
            self.signals.changed()
        return sent
