"""Tenants and accounts: sign-in by OIDC identity or API key, and the operator's bootstrap."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth import api_keys
from icgpu.auth.key_cache import KeyCache
from icgpu.auth.oidc import Identity
from icgpu.auth.principal import ALL_SCOPES, PERMISSIONS, Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import Account, ApiKey, Team, TeamMember, Tenant
from icgpu.errors import AuthenticationError, ValidationError
from icgpu.ids import new_id

LAST_USED_RESOLUTION = timedelta(minutes=1)
TENANT_NAME_MAX = 100
MEMO_SECONDS = 30.0
MEMO_MAX = 10_000


@dataclass(frozen=True)
class Me:
    account: Account
    tenant: Tenant
    teams: list[tuple[Team, str]]


@dataclass(frozen=True)
class Bootstrap:
    tenant: str
    account_id: str
    api_key: str


class AccountService:
    def __init__(self, db: Database, key_cache: KeyCache) -> None:
        self.db = db
        self.key_cache = key_cache  # API-key principals, for a bounded few seconds (auth/key_cache.py)
        # Short-lived memo of OIDC subjects already mapped to accounts (saves a query per request).
        self._subjects: dict[str, tuple[float, Principal, str]] = {}

    async def principal_for_identity(self, ident: Identity) -> Principal:
        """The account behind a validated OIDC identity, created on its first sign-in."""
        subject = f"{ident.issuer}|{ident.subject}"
        memo = self._subjects.get(subject)
        if memo and memo[0] > time.monotonic() and memo[2] == ident.tenant:
            return memo[1]
        for _ in range(3):  # a concurrent first sign-in may win the insert: read it back
            try:
                async with self.db.transaction() as s:
                    acc = await self._account_for(s, ident, subject)
                    principal = Principal(account_id=acc.id, tenant_id=acc.tenant_id, email=acc.email,
                                          role=acc.role, via="oidc")
                break
            except IntegrityError:
                continue
        else:
            raise AuthenticationError("could not sign in; try again", code="SignInConflict")
        if len(self._subjects) >= MEMO_MAX:
            self._subjects.clear()
        self._subjects[subject] = (time.monotonic() + MEMO_SECONDS, principal, ident.tenant)
        return principal

    async def _account_for(self, s: AsyncSession, ident: Identity, subject: str) -> Account:
        acc = await s.scalar(select(Account).where(Account.oidc_subject == subject))
        if acc is not None:
            tenant_name = await s.scalar(select(Tenant.name).where(Tenant.id == acc.tenant_id))
            if tenant_name != ident.tenant:
                # One identity, one tenant: a token naming another tenant is refused, not re-homed.
                raise AuthenticationError("this identity belongs to another tenant than the token names",
                                          code="TenantMismatch")
            return acc
        tenant = await get_or_create_tenant(s, ident.tenant)
        acc = await s.scalar(select(Account).where(Account.tenant_id == tenant.id, Account.email == ident.email))
        if acc is None:
            acc = Account(id=new_id("acc"), tenant_id=tenant.id, email=ident.email, role="member")
            s.add(acc)
        if acc.oidc_subject is None:
            acc.oidc_subject = subject
        elif acc.oidc_subject != subject:
            raise AuthenticationError("this email is bound to another identity", code="IdentityMismatch")
        await s.flush()
        return acc

    async def principal_for_api_key(self, key: str) -> Principal:
        digest = api_keys.digest(key)
        now = utcnow()
        cached = self.key_cache.get(digest, now)
        if cached is not None:
            return cached
        async with self.db.read() as s:
            row = (await s.execute(
                select(ApiKey, Account).join(Account, Account.id == ApiKey.account_id)
                .where(ApiKey.key_hash == digest)
            )).first()
        if row is None:
            raise AuthenticationError("invalid API key", code="InvalidApiKey")
        key_row, acc = row
        if key_row.revoked_at is not None:
            raise AuthenticationError("this API key was revoked", code="ApiKeyRevoked")
        if key_row.expires_at is not None and key_row.expires_at <= now:
            raise AuthenticationError("this API key has expired", code="ApiKeyExpired")
        if key_row.last_used_at is None or now - key_row.last_used_at > LAST_USED_RESOLUTION:
            async with self.db.transaction() as s:
                await s.execute(update(ApiKey).where(ApiKey.id == key_row.id).values(last_used_at=now))
        principal = Principal(
            account_id=acc.id,
            tenant_id=acc.tenant_id,
            email=acc.email,
            role=acc.role,
            via="api_key",
            scopes=frozenset(key_row.scopes),
            permissions=frozenset(key_row.permissions),
            api_key_id=key_row.id,
        )
        self.key_cache.put(digest, principal, key_row.expires_at)
        return principal

    async def bootstrap(self, tenant_name: str, email: str) -> Bootstrap:
        """Create or reuse a tenant and its owner account, and issue a new full-access API key."""
        email = email.strip().lower()
        if "@" not in email:
            raise ValidationError("email must be an email address", field="email")
        async with self.db.transaction() as s:
            tenant = await get_or_create_tenant(s, tenant_name)
            acc = await s.scalar(select(Account).where(Account.tenant_id == tenant.id, Account.email == email))
            if acc is None:
                acc = Account(id=new_id("acc"), tenant_id=tenant.id, email=email, role="owner")
                s.add(acc)
            else:
                acc.role = "owner"
            key = api_keys.generate()
            s.add(ApiKey(
                id=new_id("ak"),
                tenant_id=tenant.id,
                account_id=acc.id,
                name="bootstrap",
                prefix=api_keys.display_prefix(key),
                key_hash=api_keys.digest(key),
                scopes=list(ALL_SCOPES),
                permissions=list(PERMISSIONS),
            ))
        return Bootstrap(tenant=tenant.name, account_id=acc.id, api_key=key)

    async def me(self, principal: Principal) -> Me:
        """The caller's account, tenant and team memberships."""
        async with self.db.read() as s:
            acc = await s.get(Account, principal.account_id)
            tenant = await s.get(Tenant, principal.tenant_id)
            teams = (await s.execute(
                select(Team, TeamMember.role).join(TeamMember, TeamMember.team_id == Team.id)
                .where(TeamMember.account_id == principal.account_id).order_by(Team.created_at, Team.id)
            )).all()
        if acc is None or tenant is None:
            raise AuthenticationError("this account no longer exists", code="AccountGone")
        return Me(acc, tenant, [(team, role) for team, role in teams])

    async def get_many(self, ids: list[str]) -> list[Account | None]:
        async with self.db.read() as s:
            rows = (await s.scalars(select(Account).where(Account.id.in_(ids)))).all()
        found = {r.id: r for r in rows}
        return [found.get(i) for i in ids]

    async def is_empty(self) -> bool:
        async with self.db.read() as s:
            return await s.scalar(select(Account.id).limit(1)) is None


async def get_or_create_tenant(s: AsyncSession, name: str) -> Tenant:
    name = name.strip()
    if not name or len(name) > TENANT_NAME_MAX:
        raise ValidationError("tenant name must be 1-100 characters", field="tenant")
    tenant = await s.scalar(select(Tenant).where(Tenant.name == name))
    if tenant is None:
        tenant = Tenant(id=new_id("tnt"), name=name)
        s.add(tenant)
        await s.flush()
    return tenant
