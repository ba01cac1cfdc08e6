"""DataLoaders, built fresh per request by one factory, so nested fields cost one query per level."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from aiodataloader import DataLoader
from strawberry.types.nodes import SelectedField

from icgpu.db.tables import Account

if TYPE_CHECKING:
    from strawberry.types.nodes import Selection

    from icgpu.api.graphql.context import Context
    from icgpu.platform import Platform


class Loaders:
    def __init__(self, platform: Platform, context: Context) -> None:
        self.account: DataLoader[str, Account | None] = DataLoader(platform.accounts.get_many)

    async def accounts(self, ids: Iterable[str]) -> dict[str, Account | None]:
        """The accounts with these ids, by id: one batch for all of them (and for whatever else
        asks the account loader in the same tick)."""
        unique = list(dict.fromkeys(ids))
        return dict(zip(unique, await self.account.load_many(unique), strict=True))


def selects(selections: Iterable[Selection], name: str) -> bool:
    """Whether a field called ``name`` is selected anywhere below these selections, fragments
    included. Resolvers use it to prefetch, for a whole page at once, what nested fields show."""
    return any((isinstance(s, SelectedField) and s.name == name) or selects(s.selections, name) for s in selections)
