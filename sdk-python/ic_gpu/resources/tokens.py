"""client.tokens: the tenant's prepaid token balance, purchases (an amount or a package), usage per
call (filtered by time range and model) and the token packages on offer."""

from __future__ import annotations

from datetime import datetime

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given


def _when(value: datetime | str | None) -> str | None:
    """An ISO 8601 time (a datetime without a timezone is taken as UTC by the server)."""
    return value.isoformat() if isinstance(value, datetime) else value


class Tokens(SyncResource):
    def balance(self) -> g.TokenBalanceFields:
        return self._gen.get_token_balance().token_balance

    def purchase(self, *, amount: int | None = None, package_id: str | None = None,
                 dry_run: bool = False) -> g.PurchaseTokensPurchaseTokens:
        """Credit the balance with ``amount`` tokens or one package (``package_id``)."""
        spec = given(amount=amount, package_id=package_id)
        return self._gen.purchase_tokens(g.PurchaseTokensInput(**spec), dry_run=dry_run).purchase_tokens

    def usage(self, *, since: datetime | str | None = None, until: datetime | str | None = None,
              model: str | None = None, max_results: int | None = None) -> SyncPage[g.TokenUsageFields]:
        def fetch(token: str | None) -> Page[g.TokenUsageFields]:
            res = self._gen.list_token_usage(max_results=max_results, next_token=token, since=_when(since),
                                             until=_when(until), model=model).token_usage
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def packages(self) -> list[g.TokenPackageFields]:
        return list(self._gen.list_token_packages().token_packages)


class AsyncTokens(AsyncResource):
    async def balance(self) -> a.TokenBalanceFields:
        return (await self._gen.get_token_balance()).token_balance

    async def purchase(self, *, amount: int | None = None, package_id: str | None = None,
                       dry_run: bool = False) -> a.PurchaseTokensPurchaseTokens:
        spec = given(amount=amount, package_id=package_id)
        return (await self._gen.purchase_tokens(a.PurchaseTokensInput(**spec), dry_run=dry_run)).purchase_tokens

    def usage(self, *, since: datetime | str | None = None, until: datetime | str | None = None,
              model: str | None = None, max_results: int | None = None) -> AsyncPage[a.TokenUsageFields]:
        async def fetch(token: str | None) -> Page[a.TokenUsageFields]:
            res = (await self._gen.list_token_usage(max_results=max_results, next_token=token, since=_when(since),
                                                    until=_when(until), model=model)).token_usage
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def packages(self) -> list[a.TokenPackageFields]:
        return list((await self._gen.list_token_packages()).token_packages)
