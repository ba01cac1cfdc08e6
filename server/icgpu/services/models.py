"""Model deployments (``/api/v1/models``): a Hugging Face model served by 0..N replicas of an
OpenAI-compatible engine, addressed by its name, unique in the tenant.

Request bodies use the documented camelCase names (``minReplicas``, ``maxReplicas``,
``resourceProfile``, ``huggingfaceToken``, ``teamId``) or their snake_case equivalents. The Hugging
Face token is write-only: sealed (services/model_secrets.py), never returned, logged or put in an
event; responses only say whether one is set.

Status (docs/models.md): ``pending`` (no replica asked for yet), ``scaling`` (replicas starting or
stopping), ``ready`` (every desired replica answers), ``scaled_to_zero`` (idle with
``minReplicas: 0``: the next call wakes it), ``stopped`` (``POST .../stop``: held at zero until the
next call wakes it), ``deleted``. Replicas are kept by workers/model_scaler.py.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_models import ModelDeployment
from icgpu.errors import Conflict, NotFound, ServiceUnavailable, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id
from icgpu.services import access, quotas
from icgpu.services.model_catalogue import (
    ENGINES,
    KINDS,
    RESOURCE_PROFILES,
    CatalogueEntry,
    by_huggingface_id,
    entry,
    external_upstream,
)
from icgpu.services.model_secrets import TokenBox
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.validation import NAME_RE, Input, documented, model_error, one_spelling, resource_name
from icgpu.settings import Settings

SCOPE = "models"
PREFIX = "mdl"
MAX_REPLICAS = 16
MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$")
HF_TOKEN_RE = re.compile(r"^[\x21-\x7e]{1,512}$")
DEFAULT_PROFILE = "nvidia-gpu-timesliced"


class Status:
    PENDING = "pending"
    SCALING = "scaling"
    READY = "ready"
    SCALED_TO_ZERO = "scaled_to_zero"
    STOPPED = "stopped"
    DELETED = "deleted"


IDLE_REASON = "no replica until the next call"
RETRY_AFTER_SECONDS = 5  # a model that cannot answer yet (waking, or its shared deployment unreadable)
STOPPED_REASON = "stopped: the next call wakes it"
STATUSES = (Status.PENDING, Status.SCALING, Status.READY, Status.SCALED_TO_ZERO, Status.STOPPED, Status.DELETED)
EVENTS = ("model.deployed", "model.scaled", "model.stopped", "model.woken", "model.ready", "model.scaled_to_zero",
          "model.deleted")


ALIASES = {"minReplicas": "min_replicas", "maxReplicas": "max_replicas", "resourceProfile": "resource_profile",
           "huggingfaceToken": "huggingface_token", "teamId": "team_id"}
_one_spelling = one_spelling(ALIASES)


def check_bounds(min_replicas: int, max_replicas: int) -> None:
    if min_replicas > max_replicas:
        raise ValidationError(f"minReplicas: {min_replicas} is more than maxReplicas ({max_replicas})",
                              field="minReplicas")


class ModelDeploy(Input):
    """A new deployment (REST body and GraphQL input alike)."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern},
                      description="unique in the tenant; /v1 calls use it as the model name")
    model: str = Field(min_length=1, max_length=193, description="the Hugging Face id, e.g. "
                       "meta-llama/Llama-3.1-8B-Instruct")
    engine: str = Field(default="vllm", json_schema_extra={"enum": list(ENGINES)})
    kind: str | None = Field(default=None, json_schema_extra={"enum": list(KINDS)},
                             description="chat or embedding; default: the catalogue's kind for the model, else chat")
    min_replicas: int = documented("minReplicas", "min_replicas", default=0, ge=0, le=MAX_REPLICAS, strict=True)
    max_replicas: int = documented("maxReplicas", "max_replicas", default=1, ge=1, le=MAX_REPLICAS, strict=True)
    resource_profile: str = documented("resourceProfile", "resource_profile", default=DEFAULT_PROFILE,
                                       json_schema_extra={"enum": list(RESOURCE_PROFILES)})
    huggingface_token: str | None = documented(
        "huggingfaceToken", "huggingface_token", default=None, max_length=512,
        description="write-only: stored encrypted, never returned")
    team_id: str | None = documented("teamId", "team_id", default=None, max_length=40,
                                     description="share with this team")

    _spelling = model_validator(mode="before")(_one_spelling)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("model")
    @classmethod
    def _model(cls, v: str) -> str:
        if not MODEL_RE.match(v):
            raise ValueError("must be a Hugging Face model id such as meta-llama/Llama-3.1-8B-Instruct "
                             "(letters, digits, . _ - and at most one /)")
        return v

    @field_validator("engine")
    @classmethod
    def _engine(cls, v: str) -> str:
        if v not in ENGINES:
            raise ValueError(f"unknown engine '{v[:40]}'; choose one of: {', '.join(ENGINES)}")
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str | None) -> str | None:
        if v is not None and v not in KINDS:
            raise ValueError(f"unknown kind '{v[:40]}'; choose one of: {', '.join(KINDS)}")
        return v

    @field_validator("resource_profile")
    @classmethod
    def _profile(cls, v: str) -> str:
        if v not in RESOURCE_PROFILES:
            raise ValueError(f"unknown resource profile '{v[:60]}'; choose one of: {', '.join(RESOURCE_PROFILES)}")
        return v

    @field_validator("huggingface_token")
    @classmethod
    def _token(cls, v: str | None) -> str | None:
        if v is not None and not HF_TOKEN_RE.match(v):
            raise ValueError("must be 1-512 printable characters without spaces")
        return v or None

    @model_validator(mode="after")
    def _bounds(self) -> ModelDeploy:
        if self.min_replicas > self.max_replicas:
            raise model_error("minReplicas", f"minReplicas ({self.min_replicas}) is more than maxReplicas "
                                             f"({self.max_replicas})")
        return self


class ModelScaling(Input):
    """``PUT .../scaling``: new bounds; a bound not given keeps its value."""

    min_replicas: int | None = documented("minReplicas", "min_replicas", default=None, ge=0, le=MAX_REPLICAS,
                                          strict=True)
    max_replicas: int | None = documented("maxReplicas", "max_replicas", default=None, ge=1, le=MAX_REPLICAS,
                                          strict=True)

    _spelling = model_validator(mode="before")(_one_spelling)

    @model_validator(mode="after")
    def _something(self) -> ModelScaling:
        if self.min_replicas is None and self.max_replicas is None:
            raise model_error("minReplicas", "give minReplicas and/or maxReplicas")
        return self


def snapshot(d: ModelDeployment) -> dict[str, Any]:
    """An event's view of a deployment: never the token."""
    return {"id": d.id, "name": d.name, "model": d.model, "engine": d.engine, "status": d.status,
            "min_replicas": d.min_replicas, "max_replicas": d.max_replicas,
            "desired_replicas": d.desired_replicas, "ready_replicas": d.ready_replicas,
            "resource_profile": d.resource_profile, "team_id": d.team_id}


def record_event(s: AsyncSession, d: ModelDeployment, type_: str) -> None:
    if d.tenant_id is None:
        return  # the platform's shared deployments belong to no tenant: nobody to tell
    outbox.record(s, type_, tenant_id=d.tenant_id, account_id=d.account_id, team_id=d.team_id,
                  resource_type="model_deployment", resource_id=d.id, data=snapshot(d))


async def _gpu_usage(s: AsyncSession, tenant_id: str) -> int:
    """GPU slots held by the tenant's replicas (the platform's shared deployments count for nobody)."""
    used = await s.scalar(select(func.coalesce(func.sum(ModelDeployment.gpu_replicas), 0))
                          .where(ModelDeployment.tenant_id == tenant_id))
    return int(used or 0)


quotas.register_gpu_usage("models", _gpu_usage)


class ModelDeploymentService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals, *,
                 cluster_serves: bool = False) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals
        self.tokens = TokenBox(settings.resolved_secret_key)
        # The provisioner serves models itself (Kubernetes: KubeAI): no replica is the development engine.
        self.cluster_serves = cluster_serves

    # -- reads -----------------------------------------------------------------------------------

    async def list(self, principal: Principal, page: PageRequest) -> Page[ModelDeployment]:
        """Live deployments the caller can see (their own and their teams'), oldest first."""
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            teams = sorted(await access.team_ids(s, principal))
            owner = ModelDeployment.account_id == principal.account_id
            if teams:
                owner = or_(owner, ModelDeployment.team_id.in_(teams))
            stmt = select(ModelDeployment).where(and_(ModelDeployment.tenant_id == principal.tenant_id, owner,
                                                      ModelDeployment.status != Status.DELETED))
            return await self.pages.fetch(s, stmt, page, scope=f"models:{principal.account_id}",
                                          model=ModelDeployment)

    async def get(self, principal: Principal, name: str) -> ModelDeployment:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            return await self._load(s, principal, name)

    async def visible(self, principal: Principal) -> Sequence[ModelDeployment]:
        """Every live deployment the caller can see (for routing), oldest first."""
        async with self.db.read() as s:
            stmt = (select(ModelDeployment)
                    .where(access.visible(principal, ModelDeployment), ModelDeployment.status != Status.DELETED)
                    .order_by(ModelDeployment.created_at, ModelDeployment.id))
            return (await s.scalars(stmt)).all()

    async def shared(self, cat: CatalogueEntry) -> str:
        """The id of the platform's own deployment serving catalogue entry ``cat`` (no tenant; scales from
        zero), made on first use. Concurrent first uses make one: the partial unique index on the shared
        deployments' names refuses the others, which then read the winner's row."""
        stmt = select(ModelDeployment.id).where(ModelDeployment.tenant_id.is_(None),
                                                ModelDeployment.name == cat.alias,
                                                ModelDeployment.status != Status.DELETED)
        async with self.db.read() as s:
            found = await s.scalar(stmt)
        if found is not None:
            return str(found)
        with contextlib.suppress(IntegrityError):  # another call made it first: its row is read below
            async with self.db.transaction() as s:
                now = utcnow()
                s.add(ModelDeployment(
                    id=new_id(PREFIX), tenant_id=None, account_id=None, team_id=None, name=cat.alias,
                    model=cat.huggingface_id, engine=cat.engine, kind=cat.kind,
                    resource_profile=cat.resource_profile, min_replicas=0, max_replicas=cat.max_replicas,
                    hf_token_blob=None, has_hf_token=False, status=Status.SCALED_TO_ZERO, status_reason=IDLE_REASON,
                    stopped=False, desired_replicas=0, ready_replicas=0, gpu_replicas=0, endpoints=[],
                    created_at=now, updated_at=now))
        # A transaction of its own, not the request's read session, whose snapshot may predate the winner's commit.
        async with self.db.transaction() as s:
            found = await s.scalar(stmt)
        if found is None:
            raise ServiceUnavailable(f"the catalogue model '{cat.alias}' cannot be served now; retry shortly",
                                     headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        return str(found)

    # -- writes ----------------------------------------------------------------------------------

    async def deploy(self, principal: Principal, data: ModelDeploy, *, dry_run: bool = False) -> ModelDeployment:
        principal.require(SCOPE, "write")
        if entry(data.name) is not None:
            raise Conflict(f"'{data.name}' is a model of the platform's catalogue; choose another name",
                           code="ModelNameReserved")
        known = by_huggingface_id(data.model)
        kind = data.kind or (known.kind if known else "chat")
        async with self.db.transaction(dry_run=dry_run) as s:
            await access.check_share_team(s, principal, data.team_id)
            await self._check_name_free(s, principal.tenant_id, data.name)
            if RESOURCE_PROFILES[data.resource_profile] is not None:
                # The minimum must fit the tenant's GPU limit now; each replica is counted as it starts.
                await quotas.check_gpus(s, self.settings, principal.tenant_id, data.min_replicas)
            now = utcnow()
            d = ModelDeployment(
                id=new_id(PREFIX), tenant_id=principal.tenant_id, account_id=principal.account_id,
                team_id=data.team_id, name=data.name, model=data.model, engine=data.engine, kind=kind,
                resource_profile=data.resource_profile, min_replicas=data.min_replicas,
                max_replicas=data.max_replicas, hf_token_blob=self.tokens.seal(data.huggingface_token),
                has_hf_token=data.huggingface_token is not None,
                status=Status.PENDING if data.min_replicas else Status.SCALED_TO_ZERO,
                status_reason=None if data.min_replicas else IDLE_REASON,
                stopped=False, desired_replicas=data.min_replicas, ready_replicas=0, gpu_replicas=0, endpoints=[],
                created_at=now, updated_at=now,
            )
            s.add(d)
            record_event(s, d, "model.deployed")
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return d

    async def scale(self, principal: Principal, name: str, data: ModelScaling, *,
                    dry_run: bool = False) -> ModelDeployment:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            d = await self._load_for_update(s, principal, name)
            low = data.min_replicas if data.min_replicas is not None else d.min_replicas
            high = data.max_replicas if data.max_replicas is not None else d.max_replicas
            check_bounds(low, high)
            if RESOURCE_PROFILES[d.resource_profile] is not None and low > d.gpu_replicas:
                await quotas.check_gpus(s, self.settings, principal.tenant_id, low - d.gpu_replicas)
            d.min_replicas, d.max_replicas = low, high
            if low > 0:
                d.stopped = False  # a new minimum is a wish for replicas now
            d.updated_at = utcnow()
            record_event(s, d, "model.scaled")
        self._changed(dry_run)
        return d

    async def stop(self, principal: Principal, name: str, *, dry_run: bool = False) -> ModelDeployment:
        """Scale to zero now; the deployment stays callable and the next call wakes it."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            d = await self._load_for_update(s, principal, name)
            d.stopped = True
            d.desired_replicas = 0
            d.status = Status.STOPPED if d.ready_replicas == 0 else Status.SCALING
            d.status_reason = STOPPED_REASON
            d.updated_at = utcnow()
            record_event(s, d, "model.stopped")
        self._changed(dry_run)
        return d

    async def delete(self, principal: Principal, name: str, *, dry_run: bool = False) -> ModelDeployment:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            d = await self._load_for_update(s, principal, name)
            now = utcnow()
            d.status = Status.DELETED
            d.status_reason = None
            d.desired_replicas = 0
            d.deleted_at = now
            d.updated_at = now
            d.hf_token_blob = None  # nothing will start again: the token goes now
            record_event(s, d, "model.deleted")
        self._changed(dry_run)
        return d

    async def wake(self, deployment_id: str) -> bool:
        """A call came for a stopped deployment: it may have replicas again. True when it was stopped."""
        async with self.db.transaction() as s:
            res = await s.execute(update(ModelDeployment)
                                  .where(ModelDeployment.id == deployment_id, ModelDeployment.stopped.is_(True),
                                         ModelDeployment.status != Status.DELETED)
                                  .values(stopped=False, updated_at=utcnow()))
            woke = bool(res.rowcount)  # type: ignore[attr-defined]
            if woke:
                d = await s.get(ModelDeployment, deployment_id)
                if d is not None:
                    record_event(s, d, "model.woken")
        if woke:
            self.signals.changed()
        return woke

    def upstream_kind(self, d: ModelDeployment) -> str:
        """``external`` when a real engine serves it (the operator maps its model to an external engine, or
        the provisioner serves models: KubeAI on Kubernetes), else ``dev_engine``."""
        alias = d.name if d.tenant_id is None else None
        if self.cluster_serves or external_upstream(self.settings, alias=alias, model=d.model):
            return "external"
        return "dev_engine"

    def huggingface_token(self, d: ModelDeployment) -> str | None:
        """The decrypted token, for the replica that downloads the weights only."""
        return self.tokens.open(d.hf_token_blob)

    # -- helpers ---------------------------------------------------------------------------------

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()

    async def _load(self, s: AsyncSession, principal: Principal, name: str, *,
                    for_update: bool = False) -> ModelDeployment:
        d = None
        if NAME_RE.match(name):
            stmt = select(ModelDeployment).where(ModelDeployment.tenant_id == principal.tenant_id,
                                                 ModelDeployment.name == name, ModelDeployment.status != Status.DELETED)
            if for_update:
                stmt = stmt.with_for_update()
            d = await s.scalar(stmt)
        if d is None or not await access.can_see(s, principal, d):
            raise NotFound(f"model deployment '{name[:63]}' not found", code="ModelNotFound")
        return d

    async def _load_for_update(self, s: AsyncSession, principal: Principal, name: str) -> ModelDeployment:
        d = await self._load(s, principal, name, for_update=True)
        await access.require_manage(s, principal, d, "model deployment")
        return d

    async def _check_name_free(self, s: AsyncSession, tenant_id: str, name: str) -> None:
        taken = await s.scalar(select(ModelDeployment.id).where(ModelDeployment.tenant_id == tenant_id,
                                                                ModelDeployment.name == name,
                                                                ModelDeployment.status != Status.DELETED))
        if taken:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(f"a model deployment named '{name}' already exists", code="ResourceAlreadyExists")
