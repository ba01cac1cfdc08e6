"""Permission classes: every query and mutation field names the scope and permission it needs."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info


class Requires(BasePermission):
    scope = ""
    permission = ""
    message = "access denied"

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = await info.context.principal()
        principal.require(self.scope, self.permission)  # raises AccessDeniedException
        return True


def requires(scope: str, permission: str) -> type[BasePermission]:
    name = f"Requires{scope.title().replace('_', '')}{permission.title()}"
    return type(name, (Requires,), {"scope": scope, "permission": permission})


class Authenticated(BasePermission):
    message = "authentication required"

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        await info.context.principal()  # raises AuthenticationError
        return True
