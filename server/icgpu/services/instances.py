"""GPU instances: creation with quota, the user-driven state changes, and reads.

The reconciler (workers/reconciler.py) moves instances through the cluster-driven states; both
sides change status only through ``move`` so every change is checked and emits its event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, cast

from pydantic import Field, field_validator
from sqlalchemy import and_, bindparam, func, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import Account, Instance, SshKeyGroup
from icgpu.errors import Conflict, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.services import access, quotas
from icgpu.services.instance_states import EVENT_FOR, WANTS_RUNNING, Status, can_move
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.ssh_material import parse_public_key
from icgpu.services.tiers import TIERS
from icgpu.services.validation import NAME_RE, Input, resource_name
from icgpu.settings import Settings

SCOPE = "instances"
MAX_AUTO_STOP_MINUTES = 30 * 24 * 60  # thirty days
# Statuses in which an instance holds (or is acquiring, or still releasing) one GPU slot: what
# counts in the tenant's GPU limit (services/quotas.py).
HOLDS_GPU = tuple(st.value for st in (*WANTS_RUNNING, Status.STOPPING))
MAX_LIST_STATEMENTS = 256  # first-page list statements kept, one per shape (InstanceService._list_statement)



class InstanceCreate(Input):
    """What a caller may send to create an instance (REST body and GraphQL input alike)."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    tier: str = Field(json_schema_extra={"enum": list(TIERS)})
    ssh_key: str | None = Field(default=None, max_length=16384)
    storage_gb: int = Field(default=50, ge=10, le=500, strict=True)
    workload_type: Literal["interactive", "batch"] = "interactive"
    ssh_key_group: str | None = Field(default=None, max_length=40, description="grants every key in the group")
    team_id: str | None = Field(default=None, max_length=40, description="share with this team")
    auto_stop_after_minutes: int | None = Field(
        default=None, ge=1, le=MAX_AUTO_STOP_MINUTES, strict=True,
        description="stop the instance after it has run this many minutes (each start counts anew)")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("tier")
    @classmethod
    def _tier(cls, v: str) -> str:
        if v not in TIERS:
            raise ValueError(f"unknown tier '{v}'; choose one of: {', '.join(TIERS)}")
        return v

    @field_validator("ssh_key")
    @classmethod
    def _ssh_key(cls, v: str | None) -> str | None:
        # The same parser as uploaded keys: a real, accepted key, stored in ssh-keygen's form.
        return parse_public_key(v, field="ssh_key").public_key if v is not None else None


class InstanceUpdate(Input):
    """What may change in place: the name (everything else forces a new instance)."""

    name: str | None = Field(default=None, min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return resource_name(v) if v is not None else None


INSTANCE_COLUMNS = tuple(Instance.__table__.c)
# The owner's fields a list joins in when asked (``with_owner``): its id is the row's account_id.
OWNER_COLUMNS = (Account.email.label("owner_email"), Account.role.label("owner_role"))


class InstanceRecord(Protocol):
    """An instance as lists return it: a plain row (no ORM object, no identity map: a page of 100
    loads several times faster), with the same attributes as the ORM ``Instance``."""

    id: str
    tenant_id: str
    account_id: str
    name: str
    tier: str
    workload_type: str
    storage_gb: int
    ssh_key: str | None
    ssh_key_group_id: str | None
    team_id: str | None
    status: str
    status_reason: str | None
    ssh_host: str | None
    ssh_port: int | None
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None
    auto_stop_after_minutes: int | None
    auto_stop_at: datetime | None


class InstanceOwnerRecord(InstanceRecord, Protocol):
    """A list's row with its owner joined in (``InstanceService.list(..., with_owner=True)``);
    both None when the owner's account is gone."""

    owner_email: str | None
    owner_role: str | None


async def gpus_held(s: AsyncSession, tenant_id: str) -> int:
    """The GPU slots the tenant's instances hold: one per instance that wants or still has one."""
    return int(await s.scalar(select(func.count()).select_from(Instance).where(
        Instance.tenant_id == tenant_id, Instance.status.in_(HOLDS_GPU))) or 0)


quotas.register_gpu_usage("instances", gpus_held)


def parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise ValidationError(f"status: unknown status '{value}'; choose one of: "
                              f"{', '.join(s.value for s in Status)}", field="status") from None


def snapshot(inst: Instance) -> dict[str, Any]:
    return {
        "id": inst.id,
        "name": inst.name,
        "tier": inst.tier,
        "workload_type": inst.workload_type,
        "storage_gb": inst.storage_gb,
        "status": inst.status,
        "status_reason": inst.status_reason,
        "team_id": inst.team_id,
        "auto_stop_after_minutes": inst.auto_stop_after_minutes,
    }


def move(
    session: AsyncSession,
    inst: Instance,
    target: Status,
    *,
    reason: str | None = None,
    event_type: str | None = None,
    minute_seconds: float = 60.0,
) -> None:
    """Change status in the caller's transaction and write the matching event. Entering
    ``running`` arms the auto-stop deadline (``minute_seconds`` is the settings' length of a
    minute); any other status disarms it."""
    previous = inst.status
    if not can_move(previous, target):
        raise Conflict(
            f"instance {inst.id} is {previous}; it cannot become {target.value}",
            code="InvalidStateTransition",
        )
    now = utcnow()
    inst.status = target.value
    inst.status_reason = reason
    inst.updated_at = now
    if target in (Status.STOPPED, Status.PREEMPTED, Status.ERROR, Status.TERMINATED, Status.PENDING):
        inst.ssh_host = None
        inst.ssh_port = None
    if target is Status.TERMINATED:
        inst.terminated_at = now
    inst.auto_stop_at = (now + timedelta(seconds=inst.auto_stop_after_minutes * minute_seconds)
                         if target is Status.RUNNING and inst.auto_stop_after_minutes else None)
    outbox.record(
        session,
        event_type or EVENT_FOR[target],
        tenant_id=inst.tenant_id,
        account_id=inst.account_id,
        team_id=inst.team_id,
        resource_type="instance",
        resource_id=inst.id,
        data={**snapshot(inst), "previous_status": previous},
    )


class InstanceService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals
        self._first_pages: dict[tuple[bool, bool, int, int | None], tuple[Any, int]] = {}

    # -- reads -----------------------------------------------------------------------------------
    # (get_many precedes `list`, whose name would otherwise shadow the builtin in annotations)

    async def get_many(self, principal: Principal, ids: Sequence[str]) -> list[Instance | None]:
        wanted = [i for i in ids if well_formed(i, "inst")]
        async with self.db.read() as s:
            rows = (await s.scalars(select(Instance).where(Instance.id.in_(wanted)))).all() if wanted else []
            found = {r.id: r for r in rows if await access.can_see(s, principal, r)}
        return [found.get(i) for i in ids]

    async def list(self, principal: Principal, page: PageRequest, *,
                   status: str | None = None, with_owner: bool = False) -> Page[InstanceRecord]:
        """Live instances the caller can see; ``status`` narrows to one state (``terminated`` included).
        ``with_owner`` joins each owner's email and role into the same statement (the rows are then
        ``InstanceOwnerRecord``s), for a caller that shows the owners: one statement instead of two."""
        principal.require(SCOPE, "read")
        only = parse_status(status).value if status is not None else None  # refused before any read
        scope = f"instances:{principal.account_id}:{status or '*'}"
        async with self.db.read() as s:
            teams = sorted(await access.team_ids(s, principal))
            stmt, size = self._list_statement(page, scope=scope, with_owner=with_owner, any_status=only is None,
                                              teams=len(teams))
            params = {"tenant": principal.tenant_id, "account": principal.account_id,
                      **{f"team{i}": team for i, team in enumerate(teams)}}
            if only is not None:
                params["status"] = only
            # Executed on the session's connection: a Core statement's rows, without the ORM's
            # result handling (the session's transaction and connection are the same).
            conn = await s.connection()
            rows = cast(list[InstanceRecord], list((await conn.execute(stmt, params)).all()))
            return self.pages.page(rows, size, scope=scope)

    def _list_statement(self, page: PageRequest, *, scope: str, with_owner: bool, any_status: bool,
                        teams: int) -> tuple[Any, int]:
        """The list's statement, with parameters for the tenant, the caller, their teams and the
        status: one branch for the caller's own instances and one per team of theirs, each read in
        index order and cut at a page (the cost follows the page size, not the tenant's size).
        A first page's statement is made once per shape (building one costs more than running it)."""
        key = (with_owner, any_status, teams, page.max_results)
        if not page.next_token:
            made = self._first_pages.get(key)
            if made is not None:
                return made
        # The same text as the partial indexes' predicate, so the planner may use them.
        wanted = Instance.status != literal_column(f"'{Status.TERMINATED.value}'") if any_status \
            else Instance.status == bindparam("status")
        owners = [Instance.account_id == bindparam("account")]
        owners += [and_(Instance.team_id == bindparam(f"team{i}"), Instance.account_id != bindparam("account"))
                   for i in range(teams)]
        columns = select(*INSTANCE_COLUMNS, *OWNER_COLUMNS).outerjoin(Account, Account.id == Instance.account_id) \
            if with_owner else select(*INSTANCE_COLUMNS)
        branches = []
        for owner in owners:
            branch, size = self.pages.apply(
                columns.where(Instance.tenant_id == bindparam("tenant"), owner, wanted), page,
                scope=scope, created_col=Instance.created_at, id_col=Instance.id)
            branches.append(branch)
        if len(branches) == 1:
            stmt = branches[0]
        else:
            merged = union_all(*(select(b.subquery()) for b in branches)).subquery()
            stmt = select(merged).order_by(merged.c.created_at, merged.c.id).limit(size + 1)
        if not page.next_token:
            if len(self._first_pages) >= MAX_LIST_STATEMENTS:
                self._first_pages.clear()
            self._first_pages[key] = stmt, size
        return stmt, size

    async def get(self, principal: Principal, instance_id: str) -> Instance:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            inst: Instance = await access.load_visible(s, principal, Instance, instance_id, "inst", "instance")
        return inst

    # -- writes ----------------------------------------------------------------------------------

    async def create(self, principal: Principal, data: InstanceCreate, *, dry_run: bool = False) -> Instance:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            await self._check_references(s, principal, data)
            await self._check_name_free(s, principal, data.name)
            await quotas.reserve_storage(s, self.settings, principal.tenant_id, data.storage_gb)
            await quotas.check_gpus(s, self.settings, principal.tenant_id, 1)
            now = utcnow()
            inst = Instance(
                id=new_id("inst"),
                tenant_id=principal.tenant_id,
                account_id=principal.account_id,
                name=data.name,
                tier=data.tier,
                workload_type=data.workload_type,
                storage_gb=data.storage_gb,
                ssh_key=data.ssh_key,
                ssh_key_group_id=data.ssh_key_group,
                team_id=data.team_id,
                auto_stop_after_minutes=data.auto_stop_after_minutes,
                status=Status.PENDING.value,
                created_at=now,
                updated_at=now,
            )
            s.add(inst)
            outbox.record(s, "instance.created", tenant_id=inst.tenant_id, account_id=inst.account_id,
                          team_id=inst.team_id, resource_type="instance", resource_id=inst.id,
                          data={**snapshot(inst), "previous_status": None})
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return inst

    async def update(self, principal: Principal, instance_id: str, data: InstanceUpdate, *,
                     dry_run: bool = False) -> Instance:
        """Rename: the name stays unique among the owner's live instances."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            inst = await self._load_for_update(s, principal, instance_id)
            if inst.status == Status.TERMINATED.value:
                raise Conflict(f"instance {inst.id} is terminated; it cannot be renamed",
                               code="InvalidStateTransition")
            if data.name is not None and data.name != inst.name:
                await self._check_name_free(s, principal, data.name, owner=inst.account_id)
                inst.name = data.name
                inst.updated_at = utcnow()
                outbox.record(s, "instance.updated", tenant_id=inst.tenant_id, account_id=inst.account_id,
                              team_id=inst.team_id, resource_type="instance", resource_id=inst.id,
                              data={**snapshot(inst), "previous_status": inst.status})
                try:
                    await s.flush()
                except IntegrityError:
                    raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return inst

    async def start(self, principal: Principal, instance_id: str, *, dry_run: bool = False) -> Instance:
        return await self._act(principal, instance_id, Status.PENDING, "start", allowed=("stopped", "error"),
                               dry_run=dry_run)

    async def stop(self, principal: Principal, instance_id: str, *, dry_run: bool = False) -> Instance:
        return await self._act(principal, instance_id, Status.STOPPING, "stop",
                               allowed=("pending", "provisioning", "running"), dry_run=dry_run)

    async def requeue(self, principal: Principal, instance_id: str, *, dry_run: bool = False) -> Instance:
        return await self._act(principal, instance_id, Status.PENDING, "requeue", allowed=("preempted",),
                               dry_run=dry_run)

    async def delete(self, principal: Principal, instance_id: str, *, dry_run: bool = False) -> Instance:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            inst = await self._load_for_update(s, principal, instance_id)
            move(s, inst, Status.TERMINATED)
            await quotas.release_storage(s, inst.tenant_id, inst.storage_gb)
        self._changed(dry_run)
        return inst

    # -- helpers ---------------------------------------------------------------------------------

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()

    async def _act(
        self, principal: Principal, instance_id: str, target: Status, verb: str, *, allowed: tuple[str, ...],
        dry_run: bool,
    ) -> Instance:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            inst = await self._load_for_update(s, principal, instance_id)
            if inst.status not in allowed:
                hint = " (only preempted batch instances can be requeued)" if verb == "requeue" else ""
                raise Conflict(f"cannot {verb} instance {inst.id}: it is {inst.status}{hint}",
                               code="InvalidStateTransition")
            if target is Status.PENDING:  # start and requeue take a GPU slot again
                await quotas.check_gpus(s, self.settings, inst.tenant_id, 1)
            move(s, inst, target, reason=f"{verb} requested")
        self._changed(dry_run)
        return inst

    async def _load_for_update(self, s: AsyncSession, principal: Principal, instance_id: str) -> Instance:
        inst: Instance = await access.load_visible(s, principal, Instance, instance_id, "inst", "instance",
                                                   for_update=True)
        await access.require_manage(s, principal, inst, "instance")
        return inst

    async def _check_references(self, s: AsyncSession, principal: Principal, data: InstanceCreate) -> None:
        """A key group must be the caller's; sharing with a team needs the member role in it."""
        if data.ssh_key_group is not None:
            group = await s.get(SshKeyGroup, data.ssh_key_group) if well_formed(data.ssh_key_group, "grp") else None
            if group is None or group.tenant_id != principal.tenant_id or group.account_id != principal.account_id:
                raise ValidationError(f"ssh_key_group: unknown SSH key group '{data.ssh_key_group}'",
                                      field="ssh_key_group")
        await access.check_share_team(s, principal, data.team_id)

    async def _check_name_free(self, s: AsyncSession, principal: Principal, name: str,
                               owner: str | None = None) -> None:
        taken = await s.scalar(
            select(Instance.id).where(
                Instance.account_id == (owner or principal.account_id),
                Instance.name == name,
                Instance.status != "terminated",
            )
        )
        if taken:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(f"an instance named '{name}' already exists", code="ResourceAlreadyExists")
