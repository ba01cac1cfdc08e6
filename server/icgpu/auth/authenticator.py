"""From an ``Authorization`` header to a Principal: API keys and OIDC tokens on every route."""

from __future__ import annotations

from icgpu.auth import api_keys
from icgpu.auth.oidc import OIDCValidator
from icgpu.auth.principal import Principal
from icgpu.errors import AuthenticationError
from icgpu.services.accounts import AccountService


class Authenticator:
    def __init__(self, oidc: OIDCValidator, accounts: AccountService) -> None:
        self.oidc = oidc
        self.accounts = accounts

    async def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise AuthenticationError("missing Authorization header: send 'Bearer <API key or OIDC token>'",
                                      code="MissingCredentials")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError("Authorization must be 'Bearer <API key or OIDC token>'",
                                      code="MissingCredentials")
        if api_keys.looks_like_key(token):
            return await self.accounts.principal_for_api_key(token)
        identity = await self.oidc.validate(token)
        return await self.accounts.principal_for_identity(identity)
