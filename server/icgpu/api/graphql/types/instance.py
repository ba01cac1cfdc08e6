"""GraphQL types for GPU instances."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any, cast

import strawberry
from sqlalchemy.engine import Row
from strawberry.types import Info

from icgpu.api.graphql.execution import RowItems
from icgpu.api.graphql.loaders import selected
from icgpu.api.graphql.types.common import CATALOGUE, Account, GpuTier
from icgpu.api.rows import getter
from icgpu.services.instance_states import Status
from icgpu.services.instances import InstanceRecord
from icgpu.services.tiers import HOURLY_PRICE

InstanceStatus = strawberry.enum(Status, name="InstanceStatus", description="Lifecycle status of an instance.")


@strawberry.enum(description="interactive: guaranteed; batch: 50% off and preemptible.")
class WorkloadType(Enum):
    INTERACTIVE = "interactive"
    BATCH = "batch"


@strawberry.type(description="A GPU instance with SSH access.")
class Instance:
    id: strawberry.ID
    name: str
    tier: str
    workload_type: WorkloadType
    storage_gb: int
    ssh_key: str | None
    ssh_key_group: str | None
    team_id: str | None
    status: InstanceStatus  # type: ignore[valid-type]
    status_reason: str | None
    ssh_host: str | None
    ssh_port: int | None
    hourly_price: float
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None
    auto_stop_after_minutes: int | None = strawberry.field(
        description="Stopped after running this many minutes (each start counts anew); null: never.")
    auto_stop_at: datetime | None = strawberry.field(description="When a running instance will be auto-stopped.")
    # Plain values rather than resolvers: a page holds many instances, and a resolver per item and
    # field (an awaitable one for the owner) cost more than the rest of the item together.
    tier_info: GpuTier = strawberry.field(description="The tier's catalogue entry.")
    owner: Account | None = strawberry.field(description="The account that owns the instance.")

    @classmethod
    async def many(cls, info: Info, rows: Sequence[InstanceRecord]) -> list[Instance]:
        """The rows as GraphQL instances. Their owners are loaded in one batch, and only when the
        query selects ``owner`` (anywhere below the current field). A list's rows are read by
        position (api/rows.py) on the fast path, by name on the reference path."""
        owners: dict[str, Account | None] = {}
        if rows and selected(info, "owner"):
            found = await info.context.loaders.accounts(r.account_id for r in rows)
            owners = {id_: Account.from_row(a) if a else None for id_, a in found.items()}
        get = (getter(rows, _FIELDS) if info.context.platform.settings.fast_paths else None) or _by_name
        return [cls._make(owners, *get(r)) for r in rows]

    @classmethod
    async def page(cls, info: Info, rows: Sequence[InstanceRecord]) -> list[Instance]:
        """A list's items: on the fast path, a page of rows with known values is handed to the
        list's plan as the rows themselves (``RowItems``: no Instance made per row), else ``many``."""
        page = cast(Sequence[Any], rows)
        # A list's page is the rows of one result (InstanceService.list), so one set of positions
        # holds for all; checked on its ends only (a check of every row costs ~0.5 µs a row).
        if not (page and info.context.platform.settings.fast_paths) or not _one_result(page):
            return await cls.many(info, rows)
        fields = page[0]._fields
        positions = _POSITIONS.get(fields)
        if positions is None:
            positions = _positions(fields)
        if positions is None or not set(map(itemgetter(*positions[:3]), page)) <= _KNOWN:
            return await cls.many(info, rows)
        owners: dict[str, Account | None] = {}
        if selected(info, "owner"):
            found = await info.context.loaders.accounts(map(itemgetter(positions[_ACCOUNT]), page))
            owners = {id_: Account.from_row(a) if a else None for id_, a in found.items()}
        return RowItems(rows, _InstanceRows(rows, positions, owners))

    @classmethod
    async def one(cls, info: Info, row: InstanceRecord) -> Instance:
        return (await cls.many(info, [row]))[0]

    @classmethod
    def from_row(cls, r: InstanceRecord, owner: Account | None) -> Instance:
        return cls._make({r.account_id: owner}, *_by_name(r))

    @classmethod
    def _make(cls, owners: dict[str, Account | None], id_: str, name: str, tier: str, workload_type: str,
              storage_gb: int, ssh_key: str | None, group: str | None, team_id: str | None, status: str,
              reason: str | None, ssh_host: str | None, ssh_port: int | None, account_id: str,
              created_at: datetime, updated_at: datetime, terminated_at: datetime | None,
              auto_stop_after_minutes: int | None, auto_stop_at: datetime | None) -> Instance:
        return cls(
            id=strawberry.ID(id_), name=name, tier=tier,
            workload_type=_WORKLOADS.get(workload_type) or WorkloadType(workload_type),
            storage_gb=storage_gb, ssh_key=ssh_key, ssh_key_group=group, team_id=team_id,
            status=_STATUSES.get(status) or Status(status), status_reason=reason,
            ssh_host=ssh_host, ssh_port=ssh_port,
            hourly_price=HOURLY_PRICE[tier, workload_type],
            created_at=created_at, updated_at=updated_at, terminated_at=terminated_at,
            auto_stop_after_minutes=auto_stop_after_minutes, auto_stop_at=auto_stop_at,
            tier_info=CATALOGUE[tier], owner=owners.get(account_id),
        )


# What an Instance is made of, as named on the ORM object and on a list's rows; the enums by
# value (an unknown value still fails as the enum's own constructor makes it fail).
_FIELDS = ("id", "name", "tier", "workload_type", "storage_gb", "ssh_key", "ssh_key_group_id", "team_id", "status",
           "status_reason", "ssh_host", "ssh_port", "account_id", "created_at", "updated_at", "terminated_at",
           "auto_stop_after_minutes", "auto_stop_at")
_by_name = attrgetter(*_FIELDS)
_WORKLOADS = {w.value: w for w in WorkloadType}
_STATUSES = {s.value: s for s in Status}


# A page's rows read as Instance attributes (``Instance.page``): the workload type, status and tier
# come first in ``_positions`` (the values checked against ``_KNOWN``, so the lookups below hold).
_KNOWN = frozenset((w, s, t) for (t, w) in HOURLY_PRICE if t in CATALOGUE and w in _WORKLOADS for s in _STATUSES)
_POSITIONS: dict[tuple[str, ...], tuple[int, ...] | None] = {}
_ACCOUNT = 3 + _FIELDS.index("account_id")
_READERS: dict[tuple[tuple[int, ...], tuple[str, ...]], Callable[..., tuple[Any, ...]] | None] = {}
_MAX_SHAPES = 64
# An attribute of Instance as an expression of the row ``r`` (positions by column name, ``{}``).
_EXPRESSIONS = {
    **{name: "r[{" + name + "}]" for name in _FIELDS if name not in ("workload_type", "status", "account_id")},
    "ssh_key_group": "r[{ssh_key_group_id}]",
    "workload_type": "W[r[{workload_type}]]",
    "status": "S[r[{status}]]",
    "hourly_price": "P[r[{tier}], r[{workload_type}]]",
    "tier_info": "C[r[{tier}]]",
    "owner": "owners.get(r[{account_id}])",
    "__class__": "Instance",
}
del _EXPRESSIONS["ssh_key_group_id"]


def _one_result(page: Sequence[Any]) -> bool:
    """Whether a page's first and last items are rows of the same result."""
    first, last = page[0], page[-1]
    return type(first) is Row and type(last) is Row and first._parent is last._parent


def _positions(fields: tuple[str, ...]) -> tuple[int, ...] | None:
    """Where a result's columns hold workload type, status, tier, then every name of _FIELDS."""
    try:
        found: tuple[int, ...] | None = tuple(fields.index(name) for name in
                                              ("workload_type", "status", "tier", *_FIELDS))
    except ValueError:
        found = None
    if len(_POSITIONS) >= _MAX_SHAPES:
        _POSITIONS.clear()
    _POSITIONS[fields] = found
    return found


def _reader(positions: tuple[int, ...], attrs: tuple[str, ...]) -> Callable[..., tuple[Any, ...]] | None:
    """``read(owners, r)``: the values of ``attrs`` an Instance made from row ``r`` would hold,
    written once per (result shape, selection) as one tuple display."""
    key = (positions, attrs)
    if key in _READERS:
        return _READERS[key]
    read = None
    if all(a in _EXPRESSIONS for a in attrs):
        at = dict(zip(_FIELDS, positions[3:], strict=True))
        values = "".join(_EXPRESSIONS[a].format(**at) + ", " for a in attrs)
        scope: dict[str, Any] = {"W": _WORKLOADS, "S": _STATUSES, "P": HOURLY_PRICE, "C": CATALOGUE,
                                 "Instance": Instance}
        exec(compile(f"def read(owners, r):\n    return ({values})\n", "<instance row reader>", "exec"), scope)
        read = scope["read"]
    if len(_READERS) >= _MAX_SHAPES:
        _READERS.clear()
    _READERS[key] = read
    return read


class _InstanceRows:
    """A page's rows as the list plan reads them (execution.py's ``RowView``)."""

    __slots__ = ("owners", "positions", "rows")

    def __init__(self, rows: Sequence[Any], positions: tuple[int, ...], owners: dict[str, Account | None]) -> None:
        self.rows, self.positions, self.owners = rows, positions, owners

    def reader(self, attrs: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]] | None:
        read = _reader(self.positions, attrs)
        return None if read is None else partial(read, self.owners)

    def objects(self) -> list[Instance]:
        get = itemgetter(*self.positions[3:])
        return [Instance._make(self.owners, *get(r)) for r in self.rows]


@strawberry.type(description="One page of instances.")
class InstanceConnection:
    items: list[Instance]
    next_token: str | None


@strawberry.input(description="A new GPU instance.")
class CreateInstanceInput:
    name: str
    tier: str
    ssh_key: str | None = None
    storage_gb: int = 50
    workload_type: WorkloadType = WorkloadType.INTERACTIVE
    ssh_key_group: str | None = strawberry.field(default=None, description="grant every key in this group")
    team_id: str | None = strawberry.field(default=None, description="share the instance with this team")
    auto_stop_after_minutes: int | None = strawberry.field(
        default=None, description="stop the instance after it has run this many minutes")


@strawberry.input(description="What can change in place on an instance.")
class UpdateInstanceInput:
    name: str | None = strawberry.field(default=None, description="a new name, unique among your live instances")


@strawberry.type(description="A status change of one instance.")
class InstanceStatusEvent:
    instance_id: strawberry.ID
    status: InstanceStatus  # type: ignore[valid-type]
    previous_status: InstanceStatus | None  # type: ignore[valid-type]
    reason: str | None
    at: datetime
