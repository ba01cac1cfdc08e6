"""A tenant and its owner with both credentials, as ``icgpu admin bootstrap`` prints them: what the
command runs, also called in-process by the test suite against a running server's database."""

from __future__ import annotations

from icgpu.auth.dev_issuer import DevIssuer, dev_subject
from icgpu.auth.key_cache import KeyCache
from icgpu.db.database import Database
from icgpu.services.accounts import AccountService
from icgpu.settings import Settings


def dev_token(settings: Settings, subject: str, email: str, tenant: str, *, issuer: str | None = None) -> str | None:
    """A token of the built-in development issuer (None when an external issuer is configured)."""
    if not settings.dev_issuer_enabled:
        return None
    return DevIssuer(settings).mint(subject=subject, email=email, tenant=tenant, issuer=issuer)


async def bootstrap(settings: Settings, tenant: str, email: str, *, migrate: bool = True) -> dict[str, str | None]:
    """Create or reuse the tenant and its owner: the tenant's name, the owner's account id, a new API
    key and a development-issuer token (raises ApiError on a bad name or email)."""
    db = Database(settings.resolved_database_url)
    try:
        if migrate:
            await db.migrate()
        boot = await AccountService(db, KeyCache(0)).bootstrap(tenant, email)
    finally:
        await db.close()
    return {
        "tenant": boot.tenant,
        "account_id": boot.account_id,
        "api_key": boot.api_key,
        "oidc_token": dev_token(settings, dev_subject(boot.tenant, email), email.strip().lower(), boot.tenant),
    }
