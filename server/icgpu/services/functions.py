"""GPU functions (serverless): an image and an entrypoint, run on demand on one GPU of a tier.

Request bodies use the documented camelCase names (``gpuTier``, ``timeoutSeconds``, ``envVars``,
``secretEnvVars``, ``teamId``) or their snake_case equivalents. ``secretEnvVars`` values are
write-only: stored encrypted (services/function_secrets.py), never returned, logged or put in an
event; responses list their names only. Runs live in services/function_runs.py.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from pydantic import Field, field_validator, model_validator
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_functions import FunctionRun, GpuFunction
from icgpu.errors import Conflict, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.services import access
from icgpu.services.function_secrets import SecretBox
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.tiers import TIERS
from icgpu.services.validation import NAME_RE, Input, documented, one_spelling, refused_character, resource_name
from icgpu.settings import Settings

SCOPE = "functions"
PREFIX = "fn"
IMAGE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
MAX_ENV_VARS = 64
MAX_ENV_VALUE = 4096
MAX_TIMEOUT = 86400
DEFAULT_TIER = "timesliced"
DEFAULT_TIMEOUT = 300
ACTIVE = "active"
DELETED = "deleted"
# Names the runner sets itself in every run's environment.
RESERVED_ENV = frozenset({"ICGPU_RUN_ID", "ICGPU_FUNCTION_ID"})


ALIASES = {"gpuTier": "gpu_tier", "timeoutSeconds": "timeout_seconds", "envVars": "env_vars",
           "secretEnvVars": "secret_env_vars", "teamId": "team_id"}
_one_spelling = one_spelling(ALIASES)


def _valid_tier(v: str) -> str:
    if v not in TIERS:
        raise ValueError(f"unknown GPU tier '{v}'; choose one of: {', '.join(TIERS)}")
    return v


def _valid_image(v: str) -> str:
    if not IMAGE_RE.match(v):
        raise ValueError("must be an image reference such as registry.example.com/team/app:v1 "
                         "(letters, digits and . _ / : @ + -, no spaces)")
    return v


def _valid_entrypoint(v: str) -> str:
    bad = refused_character(v)
    if bad is not None:
        raise ValueError(f"must not contain control characters (found {bad})")
    try:
        words = shlex.split(v)
    except ValueError as exc:
        raise ValueError(f"is not a valid command line: {exc}") from None
    if not words:
        raise ValueError("must name a command")
    return v


def _valid_env(v: dict[str, str] | None) -> dict[str, str] | None:
    if v is None:
        return None
    if len(v) > MAX_ENV_VARS:
        raise ValueError(f"at most {MAX_ENV_VARS} variables")
    for name, value in v.items():
        if not ENV_NAME_RE.match(name):
            raise ValueError(f"variable name {name[:64]!r} must be letters, digits and underscores, "
                             "not starting with a digit, at most 128 characters")
        if name in RESERVED_ENV:
            raise ValueError(f"{name} is set by the platform")
        if len(value) > MAX_ENV_VALUE:
            raise ValueError(f"the value of {name} is longer than {MAX_ENV_VALUE} characters")
        bad = refused_character(value)
        if bad is not None:
            raise ValueError(f"the value of {name} must not contain control characters (found {bad})")
    return v


def _no_overlap(plain: dict[str, str] | None, secret: dict[str, str] | None) -> None:
    both = sorted(set(plain or {}) & set(secret or {}))
    if both:
        raise ValidationError(f"secretEnvVars: {', '.join(both)} also in envVars; name each variable once",
                              field="secretEnvVars")


class FunctionCreate(Input):
    """A new function (REST body and GraphQL input alike)."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    image: str = Field(min_length=1, max_length=512, description="recorded; the local runtime does not pull it")
    entrypoint: str = Field(min_length=1, max_length=4096, description="the command line run for each call")
    gpu_tier: str = documented("gpuTier", "gpu_tier", default=DEFAULT_TIER, json_schema_extra={"enum": list(TIERS)})
    timeout_seconds: int = documented("timeoutSeconds", "timeout_seconds", default=DEFAULT_TIMEOUT, ge=1,
                                      le=MAX_TIMEOUT, strict=True)
    env_vars: dict[str, str] = documented("envVars", "env_vars", default_factory=dict)
    secret_env_vars: dict[str, str] = documented(
        "secretEnvVars", "secret_env_vars", default_factory=dict,
        description="write-only: set in each run's environment, never returned (only their names)")
    team_id: str | None = documented("teamId", "team_id", default=None, max_length=40,
                                     description="share with this team")

    _spelling = model_validator(mode="before")(_one_spelling)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("image")
    @classmethod
    def _image(cls, v: str) -> str:
        return _valid_image(v)

    @field_validator("entrypoint")
    @classmethod
    def _entrypoint(cls, v: str) -> str:
        return _valid_entrypoint(v)

    @field_validator("gpu_tier")
    @classmethod
    def _tier(cls, v: str) -> str:
        return _valid_tier(v)

    @field_validator("env_vars", "secret_env_vars")
    @classmethod
    def _env(cls, v: dict[str, str]) -> dict[str, str]:
        return _valid_env(v) or {}


class FunctionUpdate(Input):
    """What may change in place: every field but the team; a map given replaces the old one."""

    name: str | None = Field(default=None, min_length=1, max_length=63,
                             json_schema_extra={"pattern": NAME_RE.pattern})
    image: str | None = Field(default=None, min_length=1, max_length=512)
    entrypoint: str | None = Field(default=None, min_length=1, max_length=4096)
    gpu_tier: str | None = documented("gpuTier", "gpu_tier", default=None, json_schema_extra={"enum": list(TIERS)})
    timeout_seconds: int | None = documented("timeoutSeconds", "timeout_seconds", default=None, ge=1,
                                             le=MAX_TIMEOUT, strict=True)
    env_vars: dict[str, str] | None = documented("envVars", "env_vars", default=None)
    secret_env_vars: dict[str, str] | None = documented(
        "secretEnvVars", "secret_env_vars", default=None,
        description="write-only; replaces every secret variable ({} removes them all)")

    _spelling = model_validator(mode="before")(_one_spelling)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return resource_name(v) if v is not None else None

    @field_validator("image")
    @classmethod
    def _image(cls, v: str | None) -> str | None:
        return _valid_image(v) if v is not None else None

    @field_validator("entrypoint")
    @classmethod
    def _entrypoint(cls, v: str | None) -> str | None:
        return _valid_entrypoint(v) if v is not None else None

    @field_validator("gpu_tier")
    @classmethod
    def _tier(cls, v: str | None) -> str | None:
        return _valid_tier(v) if v is not None else None

    @field_validator("env_vars", "secret_env_vars")
    @classmethod
    def _env(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        return _valid_env(v)


class FunctionRecord(Protocol):
    id: str
    tenant_id: str
    account_id: str
    team_id: str | None
    name: str
    image: str
    entrypoint: str
    gpu_tier: str
    timeout_seconds: int
    env_vars: dict[str, Any]
    secret_env_names: list[str]
    status: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


def snapshot(fn: GpuFunction) -> dict[str, Any]:
    """An event's view of a function: no environment values at all."""
    return {"id": fn.id, "name": fn.name, "image": fn.image, "gpu_tier": fn.gpu_tier,
            "timeout_seconds": fn.timeout_seconds, "status": fn.status, "team_id": fn.team_id}


def record_event(s: AsyncSession, fn: GpuFunction, type_: str) -> None:
    outbox.record(s, type_, tenant_id=fn.tenant_id, account_id=fn.account_id, team_id=fn.team_id,
                  resource_type="function", resource_id=fn.id, data=snapshot(fn))


async def can_run(s: AsyncSession, principal: Principal, fn: GpuFunction) -> bool:
    """The creator, and members of its team from the member role up (viewers only look)."""
    return fn.account_id == principal.account_id or \
        access.at_least(await access.team_role(s, principal, fn.team_id), "member")


class FunctionService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals
        self.secrets = SecretBox(settings.resolved_secret_key)

    # -- reads -----------------------------------------------------------------------------------

    async def get_many(self, principal: Principal, ids: Sequence[str]) -> list[GpuFunction | None]:
        wanted = [i for i in ids if well_formed(i, PREFIX)]
        async with self.db.read() as s:
            rows = (await s.scalars(select(GpuFunction).where(GpuFunction.id.in_(wanted)))).all() if wanted else []
            found = {r.id: r for r in rows if await access.can_see(s, principal, r)}
        return [found.get(i) for i in ids]

    async def list(self, principal: Principal, page: PageRequest) -> Page[GpuFunction]:
        """Live functions the caller can see (their own and their teams'), oldest first."""
        principal.require(SCOPE, "read")
        scope = f"functions:{principal.account_id}"
        async with self.db.read() as s:
            teams = sorted(await access.team_ids(s, principal))
            owner = GpuFunction.account_id == principal.account_id
            if teams:
                owner = or_(owner, GpuFunction.team_id.in_(teams))
            stmt = select(GpuFunction).where(and_(GpuFunction.tenant_id == principal.tenant_id, owner,
                                                  GpuFunction.status == ACTIVE))
            return await self.pages.fetch(s, stmt, page, scope=scope, model=GpuFunction)

    async def get(self, principal: Principal, function_id: str) -> GpuFunction:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            fn: GpuFunction = await access.load_visible(s, principal, GpuFunction, function_id, PREFIX, "function")
        return fn

    # -- writes ----------------------------------------------------------------------------------

    async def create(self, principal: Principal, data: FunctionCreate, *, dry_run: bool = False) -> GpuFunction:
        principal.require(SCOPE, "write")
        _no_overlap(data.env_vars, data.secret_env_vars)
        async with self.db.transaction(dry_run=dry_run) as s:
            await access.check_share_team(s, principal, data.team_id)
            await self._check_name_free(s, principal.account_id, data.name)
            now = utcnow()
            fn = GpuFunction(
                id=new_id(PREFIX), tenant_id=principal.tenant_id, account_id=principal.account_id,
                team_id=data.team_id, name=data.name, image=data.image, entrypoint=data.entrypoint,
                gpu_tier=data.gpu_tier, timeout_seconds=data.timeout_seconds, env_vars=dict(data.env_vars),
                secret_env_names=sorted(data.secret_env_vars), secret_env_blob=self.secrets.seal(data.secret_env_vars),
                status=ACTIVE, created_at=now, updated_at=now,
            )
            s.add(fn)
            record_event(s, fn, "function.created")
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return fn

    async def update(self, principal: Principal, function_id: str, data: FunctionUpdate, *,
                     dry_run: bool = False) -> GpuFunction:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            fn = await self._load_for_update(s, principal, function_id)
            if fn.status != ACTIVE:
                raise Conflict(f"function {fn.id} is deleted; it cannot be changed", code="InvalidStateTransition")
            plain = data.env_vars if data.env_vars is not None else fn.env_vars
            secret_names = sorted(data.secret_env_vars) if data.secret_env_vars is not None else fn.secret_env_names
            _no_overlap(plain, dict.fromkeys(secret_names, ""))
            if data.name is not None and data.name != fn.name:
                await self._check_name_free(s, fn.account_id, data.name)
                fn.name = data.name
            for field in ("image", "entrypoint", "gpu_tier", "timeout_seconds"):
                value = getattr(data, field)
                if value is not None:
                    setattr(fn, field, value)
            if data.env_vars is not None:
                fn.env_vars = dict(data.env_vars)
            if data.secret_env_vars is not None:
                fn.secret_env_names = sorted(data.secret_env_vars)
                fn.secret_env_blob = self.secrets.seal(data.secret_env_vars)
            fn.updated_at = utcnow()
            record_event(s, fn, "function.updated")
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name or fn.name) from None
        self._changed(dry_run)
        return fn

    async def delete(self, principal: Principal, function_id: str, *, dry_run: bool = False) -> GpuFunction:
        """Delete the function; its queued and running runs are cancelled (their records stay)."""
        from icgpu.services.function_runs import LIVE_RUN, RunStatus, move_run

        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            fn = await self._load_for_update(s, principal, function_id)
            if fn.status != ACTIVE:
                raise Conflict(f"function {fn.id} is already deleted", code="InvalidStateTransition")
            live = (await s.scalars(select(FunctionRun).where(FunctionRun.function_id == fn.id,
                                                              FunctionRun.status.in_(LIVE_RUN))
                                    .with_for_update())).all()
            for run in live:
                move_run(s, run, RunStatus.CANCELLED, reason="the function was deleted")
            now = utcnow()
            fn.status = DELETED
            fn.deleted_at = now
            fn.updated_at = now
            fn.secret_env_blob = None  # nothing will run again: the values go now
            record_event(s, fn, "function.deleted")
        self._changed(dry_run)
        return fn

    # -- helpers ---------------------------------------------------------------------------------

    def secret_env(self, fn: GpuFunction) -> dict[str, str]:
        """The decrypted secret values, for the runner only."""
        return self.secrets.open(fn.secret_env_blob)

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()

    async def _load_for_update(self, s: AsyncSession, principal: Principal, function_id: str) -> GpuFunction:
        fn: GpuFunction = await access.load_visible(s, principal, GpuFunction, function_id, PREFIX, "function",
                                                    for_update=True)
        await access.require_manage(s, principal, fn, "function")
        return fn

    async def _check_name_free(self, s: AsyncSession, account_id: str, name: str) -> None:
        taken = await s.scalar(select(GpuFunction.id).where(GpuFunction.account_id == account_id,
                                                            GpuFunction.name == name, GpuFunction.status == ACTIVE))
        if taken:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(f"a function named '{name}' already exists", code="ResourceAlreadyExists")
