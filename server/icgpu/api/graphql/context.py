"""Per-request GraphQL context: the platform, the caller, and this request's DataLoaders."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from strawberry.fastapi import BaseContext

from icgpu.api.graphql.loaders import Loaders
from icgpu.api.principal import resolve_principal
from icgpu.auth.principal import Principal
from icgpu.errors import AuthenticationError
from icgpu.platform import Platform


class Context(BaseContext):
    def __init__(self, platform: Platform) -> None:
        super().__init__()
        self.platform = platform
        self._principal: Principal | None = None
        self.loaders = Loaders(platform, self)

    async def principal(self) -> Principal:
        if self._principal is None:
            if isinstance(self.request, Request):
                self._principal = await resolve_principal(self.request)
            else:
                self._principal = await self.platform.authenticator.authenticate(self._ws_authorization())
        return self._principal

    def _ws_authorization(self) -> str | None:
        params: Any = self.connection_params or {}
        for key in ("Authorization", "authorization"):
            value = params.get(key) if isinstance(params, dict) else None
            if isinstance(value, str):
                return value
        headers = params.get("headers") if isinstance(params, dict) else None
        if isinstance(headers, dict):
            value = headers.get("Authorization") or headers.get("authorization")
            if isinstance(value, str):
                return value
        if self.request is not None:
            return self.request.headers.get("authorization")
        raise AuthenticationError("missing Authorization in connection_init payload", code="MissingCredentials")
