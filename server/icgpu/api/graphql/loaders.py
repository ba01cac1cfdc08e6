"""DataLoaders, built fresh per request by one factory, so nested fields cost one query per level."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from aiodataloader import DataLoader
from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode
from sqlalchemy.engine import Row
from strawberry.types.nodes import SelectedField

from icgpu.db.tables import Account

if TYPE_CHECKING:
    from strawberry.types import Info
    from strawberry.types.nodes import Selection

    from icgpu.api.graphql.context import Context
    from icgpu.platform import Platform
    from icgpu.services.instances import InstanceOwnerRecord


class KnownAccount(NamedTuple):
    """An account's public fields as a list read them along with its rows (the ``Account`` GraphQL
    type reads these three)."""

    id: str
    email: str
    role: str


_OWNER = attrgetter("account_id", "owner_email", "owner_role")


class Loaders:
    def __init__(self, platform: Platform, context: Context) -> None:
        self._platform = platform
        self._account: DataLoader[str, Account | None] | None = None
        self._known: dict[str, KnownAccount | None] = {}

    @property
    def account(self) -> DataLoader[str, Account | None]:
        """Made on first use: most requests never load an account, and a DataLoader costs more
        to make than the rest of the context."""
        if self._account is None:
            self._account = DataLoader(self._platform.accounts.get_many)
        return self._account

    def know_owners(self, rows: Iterable[InstanceOwnerRecord]) -> None:
        """Owners a list read with its rows (``InstanceService.list(..., with_owner=True)``), so
        ``accounts`` answers them without a query; None for an owner whose account is gone."""
        known = self._known
        page = list(rows)
        read: Callable[[Any], Any] = _OWNER
        if page and type(page[0]) is Row and type(page[-1]) is Row and page[0]._parent is page[-1]._parent:
            # A list's page, the rows of one result: by position (reading a Row's field by name
            # costs ~1 µs); checked on its ends only (a check of every row costs ~0.5 µs a row).
            fields = cast(Row[Any], page[0])._fields
            read = itemgetter(*map(fields.index, ("account_id", "owner_email", "owner_role")))
        for account_id, email, role in map(read, page):
            if account_id not in known:
                known[account_id] = None if email is None else KnownAccount(account_id, email, role or "")

    async def accounts(self, ids: Iterable[str]) -> dict[str, Any]:
        """The accounts with these ids, by id (rows with ``id``, ``email`` and ``role``): the ones
        a list already read, else one batch for all of them (and for whatever else asks the account
        loader in the same tick)."""
        unique = list(dict.fromkeys(ids))
        known = self._known
        if known and all(id_ in known for id_ in unique):
            return {id_: known[id_] for id_ in unique}
        return dict(zip(unique, await self.account.load_many(unique), strict=True))


def selects(selections: Iterable[Selection], name: str) -> bool:
    """Whether a field called ``name`` is selected anywhere below these selections, fragments
    included. Resolvers use it to prefetch, for a whole page at once, what nested fields show."""
    return any((isinstance(s, SelectedField) and s.name == name) or selects(s.selections, name) for s in selections)


def selected(info: Info, name: str) -> bool:
    """``selects(info.selected_fields, name)``, read from graphql-core's nodes: strawberry's
    ``selected_fields`` first converts the whole selection below the field into its own objects.
    Like ``selects`` it looks below every fragment and ignores @skip/@include (prefetching for a
    skipped field costs a query, never a wrong answer)."""
    raw = info._raw_info
    return _below(raw.field_nodes, raw.fragments, name, set())


def _below(nodes: Iterable[Any], fragments: dict[str, FragmentDefinitionNode], name: str, seen: set[str]) -> bool:
    for node in nodes:
        selection_set = node.selection_set
        if selection_set is None:
            continue
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                if sel.name.value == name or _below((sel,), fragments, name, seen):
                    return True
            elif isinstance(sel, InlineFragmentNode):
                if _below((sel,), fragments, name, seen):
                    return True
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                seen.add(sel.name.value)
                fragment = fragments.get(sel.name.value)
                if fragment is not None and _below((fragment,), fragments, name, seen):
                    return True
    return False
