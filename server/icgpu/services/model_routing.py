"""ModelRouter: what a ``/v1`` model name means for a caller, and where its calls go.

A name resolves, in order, to (1) a live deployment of the caller's tenant with that name that the
caller can see, (2) an alias of the platform's catalogue, served by a shared, platform-owned
deployment per alias that scales from zero, (3) the ``model`` (Hugging Face id) of one of the
caller's deployments (the oldest). Anything else is 404 ``ModelNotFound``.

``target`` gives the base URL (``.../v1``) of a ready replica, round robin, with the model name to
send there when the replica has one of its own (a KubeAI Model's: services/model_replicas.py);
``upstream`` the URL alone; a deployment at zero
replicas is woken (the call is recorded as demand and the scaler starts a replica) and the call
waits for it, at most ``wait_seconds``, then gets 502 ``ServiceUnavailableException`` with
``Retry-After``. When the operator maps the catalogue alias or the Hugging Face id to an external
engine (setting ``model_upstreams``), that URL is the upstream and no replica is started.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_models import ModelDeployment
from icgpu.errors import NotFound, ServiceUnavailable
from icgpu.services.model_catalogue import CATALOGUE, CatalogueEntry, by_huggingface_id, entry, external_upstream
from icgpu.services.model_replicas import ReplicaPool, Target, target_of
from icgpu.services.models import RETRY_AFTER_SECONDS, SCOPE, ModelDeploymentService
from icgpu.settings import Settings

DEFAULT_CONTEXT_LENGTH = 8192
REMOTE_POLL_SECONDS = 0.2  # how often a waking call looks for another process's replicas
REMOTE_CACHE_SECONDS = 1.0  # how long another process's ready replicas are used without a read
REMOTE_TOUCH_SECONDS = 5.0  # how often a call is recorded for another process's scaler, at most
CATALOGUE_CREATED = 1767225600  # 2026-01-01, the catalogue's entries' "created" in /v1/models
PLATFORM_OWNER = "icgpu"


@dataclass(frozen=True)
class Route:
    name: str  # what the caller asked for
    deployment_id: str  # the deployment that serves it (a catalogue alias has a shared one)
    source: str  # "deployment" | "catalogue" | "huggingface_id"
    upstream_model: str  # the model name to send upstream
    kind: str  # "chat" | "embedding"
    token_multiplier: float
    context_length: int
    dev_engine: bool


@dataclass(frozen=True)
class Known:
    """What routing needs of one of the caller's deployments (kept briefly per caller)."""

    id: str
    tenant_id: str | None
    name: str
    model: str
    kind: str
    created_at: int


@dataclass(frozen=True)
class CallableModel:
    id: str
    created: int
    owned_by: str
    dev_engine: bool
    kind: str


def shared_alias(d: ModelDeployment) -> str | None:
    """The catalogue alias a shared deployment serves (None for a tenant's deployment)."""
    return d.name if d.tenant_id is None else None


class ModelRouter:
    def __init__(self, db: Database, settings: Settings, deployments: ModelDeploymentService,
                 pool: ReplicaPool) -> None:
        self.db = db
        self.settings = settings
        self.deployments = deployments
        self.pool = pool
        self._shared: dict[str, str] = {}  # alias -> shared deployment id
        # account id -> (monotonic expiry, the live deployments that account sees): every call
        # resolves a name, and a read per call is most of what routing costs. Any change committed
        # in this process clears it (Signals); another process's change is seen within the TTL.
        self._seen: dict[str, tuple[float, list[Known]]] = {}
        # Without a scaler in this process: deployment id -> (expiry, ready base URLs read from the
        # database), the next round-robin position, and when this process last recorded a call.
        self._remote: dict[str, tuple[float, list[Target]]] = {}
        self._next_remote: dict[str, int] = {}
        self._touched: dict[str, float] = {}
        deployments.signals.connect(self.forget)

    # -- names -----------------------------------------------------------------------------------

    async def resolve(self, p: Principal, name: str) -> Route:
        p.require(SCOPE, "read")
        mine = await self._visible(p)
        for d in mine:
            if d.name == name:
                return self._route(name, d, "deployment")
        cat = entry(name)
        if cat is not None:
            d_id = await self.shared_deployment(cat)
            url = external_upstream(self.settings, alias=cat.alias, model=cat.huggingface_id)
            return Route(name=name, deployment_id=d_id, source="catalogue", upstream_model=cat.huggingface_id,
                         kind=cat.kind, token_multiplier=cat.token_multiplier, context_length=cat.context_length,
                         dev_engine=self._dev_engine(url))
        for d in mine:
            if d.model == name:
                return self._route(name, d, "huggingface_id")
        raise NotFound(f"the model '{name[:200]}' does not exist or you do not have access to it",
                       code="ModelNotFound")

    async def callable_models(self, p: Principal) -> list[CallableModel]:
        """Exactly the names ``resolve`` accepts for the caller, each once."""
        p.require(SCOPE, "read")
        out: list[CallableModel] = []
        seen: set[str] = set()
        mine = await self._visible(p)

        def add(model: CallableModel) -> None:
            if model.id not in seen:
                seen.add(model.id)
                out.append(model)

        for d in mine:
            add(CallableModel(id=d.name, created=d.created_at, owned_by=p.tenant_id,
                              dev_engine=self._dev_engine(self._external_of(d)), kind=d.kind))
        for cat in CATALOGUE.values():
            url = external_upstream(self.settings, alias=cat.alias, model=cat.huggingface_id)
            add(CallableModel(id=cat.alias, created=CATALOGUE_CREATED, owned_by=PLATFORM_OWNER,
                              dev_engine=self._dev_engine(url), kind=cat.kind))
        for d in mine:
            add(CallableModel(id=d.model, created=d.created_at, owned_by=p.tenant_id,
                              dev_engine=self._dev_engine(self._external_of(d)), kind=d.kind))
        return out

    # -- calls -----------------------------------------------------------------------------------

    async def upstream(self, route: Route, *, wait_seconds: float) -> str:
        return (await self.target(route, wait_seconds=wait_seconds)).url

    async def target(self, route: Route, *, wait_seconds: float) -> Target:
        external = external_upstream(self.settings, alias=route.name if route.source == "catalogue" else None,
                                     model=route.upstream_model)
        if external is not None:
            return Target(external)
        if not self.pool.local:
            return await self._remote_upstream(route, wait_seconds)
        self.pool.note_call(route.deployment_id)
        target = self.pool.next_target(route.deployment_id)
        if target is not None:
            return target
        await self.deployments.wake(route.deployment_id)  # a stopped deployment may have replicas again
        self.pool.notify_scaler()
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        while True:
            target = self.pool.next_target(route.deployment_id)
            if target is not None:
                return target
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceUnavailable(
                    f"the model '{route.name}' is waking up (scaling from zero replicas); retry shortly",
                    code="ModelWaking", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            await self.pool.wait_change(remaining)

    async def _remote_upstream(self, route: Route, wait_seconds: float) -> Target:
        """No scaler in this process (``icgpu serve`` beside ``icgpu worker``): the replicas' base URLs
        come from the database, where the worker's scaler writes them, and each call is recorded there
        (at most every few seconds per deployment) so that the worker sees the demand."""
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        woke = False
        while True:
            await self._touch(route.deployment_id)
            targets = await self._endpoints(route.deployment_id)
            if targets:
                i = self._next_remote.get(route.deployment_id, 0)
                self._next_remote[route.deployment_id] = i + 1
                return targets[i % len(targets)]
            if not woke:
                woke = True
                await self.deployments.wake(route.deployment_id)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceUnavailable(
                    f"the model '{route.name}' is waking up (scaling from zero replicas); retry shortly",
                    code="ModelWaking", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
            await asyncio.sleep(min(REMOTE_POLL_SECONDS, remaining))

    async def _endpoints(self, deployment_id: str) -> list[Target]:
        cached = self._remote.get(deployment_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.db.read() as s:
            stored = await s.scalar(select(ModelDeployment.endpoints).where(ModelDeployment.id == deployment_id))
        targets = [target_of(e) for e in stored or ()]
        if targets:
            self._remote[deployment_id] = (now + REMOTE_CACHE_SECONDS, targets)
        return targets

    async def _touch(self, deployment_id: str) -> None:
        now = time.monotonic()
        every = min(REMOTE_TOUCH_SECONDS, self.settings.model_idle_seconds / 4)
        if now - self._touched.get(deployment_id, -every) < every:
            return
        self._touched[deployment_id] = now
        async with self.db.transaction() as s:
            await s.execute(update(ModelDeployment).where(ModelDeployment.id == deployment_id)
                            .values(last_call_at=utcnow()))

    def inflight(self, deployment_id: str) -> AbstractContextManager[Any]:
        return self.pool.inflight(deployment_id)

    def mark_unhealthy(self, deployment_id: str, base_url: str) -> None:
        self.pool.mark_unhealthy(deployment_id, base_url.rstrip("/"))
        self._remote.pop(deployment_id, None)
        self.pool.notify_scaler()

    def forget(self) -> None:
        """Something changed: routes are read again on the next call."""
        self._seen.clear()

    # -- helpers ---------------------------------------------------------------------------------

    async def _visible(self, p: Principal) -> list[Known]:
        ttl = self.settings.model_route_cache_seconds
        now = time.monotonic()
        cached = self._seen.get(p.account_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        rows = await self.deployments.visible(p)
        known = [Known(id=d.id, tenant_id=d.tenant_id, name=d.name, model=d.model, kind=d.kind,
                       created_at=int(d.created_at.timestamp())) for d in rows]
        if ttl > 0:
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen[p.account_id] = (now + ttl, known)
        return known

    def _route(self, name: str, d: Known, source: str) -> Route:
        known = by_huggingface_id(d.model)
        url = self._external_of(d)
        return Route(name=name, deployment_id=d.id, source=source, upstream_model=d.model, kind=d.kind,
                     token_multiplier=known.token_multiplier if known else 1.0,
                     context_length=known.context_length if known else DEFAULT_CONTEXT_LENGTH,
                     dev_engine=self._dev_engine(url))

    def _dev_engine(self, external_url: str | None) -> bool:
        """Served by the built-in development engine: no external URL maps it, and the provisioner does
        not serve models itself (on Kubernetes KubeAI does)."""
        return external_url is None and not self.deployments.cluster_serves

    def _external_of(self, d: Known) -> str | None:
        return external_upstream(self.settings, alias=None if d.tenant_id else d.name, model=d.model)

    async def shared_deployment(self, cat: CatalogueEntry) -> str:
        """The id of the platform's deployment serving ``cat`` (made on first use), kept once known."""
        known = self._shared.get(cat.alias)
        if known is None:
            known = self._shared[cat.alias] = await self.deployments.shared(cat)
        return known
