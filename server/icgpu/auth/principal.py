"""Who is calling: the authenticated principal every service receives."""

from __future__ import annotations

from dataclasses import dataclass, field

from icgpu.errors import AccessDenied

ALL_SCOPES: tuple[str, ...] = (
    "instances",
    "vms",
    "clusters",
    "models",
    "functions",
    "fine_tuning",
    "files",
    "batch",
    "webhooks",
    "keys",
    "teams",
    "tokens",
)
PERMISSIONS: tuple[str, ...] = ("read", "write")


@dataclass(frozen=True)
class Principal:
    account_id: str
    tenant_id: str
    email: str
    role: str
    via: str  # "oidc" | "api_key"
    scopes: frozenset[str] = field(default_factory=lambda: frozenset(ALL_SCOPES))
    permissions: frozenset[str] = field(default_factory=lambda: frozenset(PERMISSIONS))
    api_key_id: str | None = None

    def require(self, scope: str, permission: str) -> None:
        """Raise 403 unless this principal's credential covers ``scope`` with ``permission``."""
        if scope not in self.scopes:
            raise AccessDenied(f"this credential has no access to '{scope}'", code="ScopeNotGranted")
        if permission not in self.permissions:
            raise AccessDenied(
                f"this credential lacks the '{permission}' permission for '{scope}'",
                code="PermissionNotGranted",
            )
