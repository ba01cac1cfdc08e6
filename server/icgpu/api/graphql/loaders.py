"""DataLoaders, built fresh per request by one factory, so nested fields cost one query per level."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiodataloader import DataLoader

from icgpu.db.tables import Account

if TYPE_CHECKING:
    from icgpu.api.graphql.context import Context
    from icgpu.platform import Platform


class Loaders:
    def __init__(self, platform: Platform, context: Context) -> None:
        self.account: DataLoader[str, Account | None] = DataLoader(platform.accounts.get_many)
