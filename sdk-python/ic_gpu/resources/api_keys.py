"""client.api_keys: create (the secret is shown once), list, get, revoke."""

from __future__ import annotations

from collections.abc import Sequence

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given


def key_input(name: str, scopes: Sequence[str], permissions: Sequence[str] | None,
              expires_in_days: int | None) -> dict[str, object]:
    return given(name=name, scopes=list(scopes), permissions=list(permissions) if permissions is not None else None,
                 expires_in_days=expires_in_days)


class ApiKeys(SyncResource):
    def create(self, *, name: str, scopes: Sequence[str], permissions: Sequence[str] | None = None,
               expires_in_days: int | None = None, dry_run: bool = False) -> g.CreateApiKeyCreateApiKey:
        """A new key; ``.key`` holds its secret, this once."""
        spec = g.CreateApiKeyInput(**key_input(name, scopes, permissions, expires_in_days))
        return self._gen.create_api_key(spec, dry_run=dry_run).create_api_key

    def list(self, *, max_results: int | None = None) -> SyncPage[g.ApiKeyFields]:
        def fetch(token: str | None) -> Page[g.ApiKeyFields]:
            res = self._gen.list_api_keys(max_results=max_results, next_token=token).api_keys
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.ApiKeyFields:
        return self._gen.get_api_key(id).api_key

    def revoke(self, id: str, *, dry_run: bool = False) -> g.RevokeApiKeyRevokeApiKey:
        return self._gen.revoke_api_key(id, dry_run=dry_run).revoke_api_key


class AsyncApiKeys(AsyncResource):
    async def create(self, *, name: str, scopes: Sequence[str], permissions: Sequence[str] | None = None,
                     expires_in_days: int | None = None, dry_run: bool = False) -> a.CreateApiKeyCreateApiKey:
        """A new key; ``.key`` holds its secret, this once."""
        spec = a.CreateApiKeyInput(**key_input(name, scopes, permissions, expires_in_days))
        return (await self._gen.create_api_key(spec, dry_run=dry_run)).create_api_key

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.ApiKeyFields]:
        async def fetch(token: str | None) -> Page[a.ApiKeyFields]:
            res = (await self._gen.list_api_keys(max_results=max_results, next_token=token)).api_keys
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.ApiKeyFields:
        return (await self._gen.get_api_key(id)).api_key

    async def revoke(self, id: str, *, dry_run: bool = False) -> a.RevokeApiKeyRevokeApiKey:
        return (await self._gen.revoke_api_key(id, dry_run=dry_run)).revoke_api_key
