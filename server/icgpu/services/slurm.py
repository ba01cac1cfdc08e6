"""Slurm environments: a managed Slurm control plane over ``max_nodes x gpu_per_node`` GPUs of one tier.

Creation records the environment ``pending``; the Slurm reconciler (workers/slurm_reconciler.py)
places one provisioner workload per GPU (ids ``<environment id>.<n>``, interactive priority) on the
shared GPU inventory, all at once when enough GPUs are free (gang placement: an environment never
sits on part of its GPUs while it waits for the rest), then records ``provisioning`` and, when every
node runs, ``ready`` with the head node's SSH endpoint. Delete terminates it; the reconciler
releases every GPU.

    pending -> provisioning -> ready;  provisioning|ready -> pending (a GPU was lost: placed again)
    pending|provisioning|ready -> error (a node failed);  any state but terminated -> terminated
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_slurm import SlurmEnvironment
from icgpu.errors import Conflict, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id
from icgpu.provisioning.base import Provisioner
from icgpu.services import access, quotas
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.tiers import TIERS
from icgpu.services.validation import NAME_RE, Input, resource_name
from icgpu.settings import Settings

SCOPE = "clusters"  # Slurm environments are HPC clusters: the same credential scope as clusters
PREFIX = "slurm"
RESOURCE = "slurm_environment"
SSH_USER = "gpuuser"
DEFAULT_TIER = "dedicated"
MAX_NODES = 64
MAX_GPU_PER_NODE = 8


class SlurmStatus(StrEnum):
    PENDING = "pending"
    PROVISIONING = "provisioning"
    READY = "ready"
    ERROR = "error"
    TERMINATED = "terminated"


S = SlurmStatus
TRANSITIONS: dict[SlurmStatus, frozenset[SlurmStatus]] = {
    S.PENDING: frozenset({S.PROVISIONING, S.READY, S.ERROR, S.TERMINATED}),
    S.PROVISIONING: frozenset({S.READY, S.PENDING, S.ERROR, S.TERMINATED}),
    S.READY: frozenset({S.PENDING, S.PROVISIONING, S.ERROR, S.TERMINATED}),
    S.ERROR: frozenset({S.TERMINATED}),
    S.TERMINATED: frozenset(),
}
EVENT_FOR: dict[SlurmStatus, str] = {s: f"slurm.{s.value}" for s in SlurmStatus}
# Statuses in which the environment holds (or is acquiring) GPUs: its workloads are kept.
HOLDS_GPUS = (S.PENDING.value, S.PROVISIONING.value, S.READY.value)


def workload_ids(env_id: str, total_gpus: int) -> list[str]:
    """The provisioner workloads of an environment, one per GPU; ``.0`` is the head node's."""
    return [f"{env_id}.{n}" for n in range(total_gpus)]


class SlurmEnvironmentCreate(Input):
    """What a caller may send to create an environment (REST body and GraphQL input alike)."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    max_nodes: int = Field(ge=1, le=MAX_NODES, strict=True, description="compute nodes in the environment")
    gpu_per_node: int = Field(ge=1, le=MAX_GPU_PER_NODE, strict=True, description="GPUs on each node")
    gpu_tier: str = Field(default=DEFAULT_TIER, json_schema_extra={"enum": list(TIERS)})
    team_id: str | None = Field(default=None, max_length=40, description="share with this team")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("gpu_tier")
    @classmethod
    def _tier(cls, v: str) -> str:
        if v not in TIERS:
            raise ValueError(f"unknown tier '{v}'; choose one of: {', '.join(TIERS)}")
        return v


def snapshot(env: SlurmEnvironment) -> dict[str, Any]:
    return {
        "id": env.id,
        "name": env.name,
        "gpu_tier": env.gpu_tier,
        "max_nodes": env.max_nodes,
        "gpu_per_node": env.gpu_per_node,
        "status": env.status,
        "status_reason": env.status_reason,
        "team_id": env.team_id,
    }


def can_move(current: str, target: SlurmStatus) -> bool:
    return target in TRANSITIONS[SlurmStatus(current)]


def move(session: AsyncSession, env: SlurmEnvironment, target: SlurmStatus, *, reason: str | None = None) -> None:
    """Change status in the caller's transaction and write the matching event."""
    previous = env.status
    if not can_move(previous, target):
        raise Conflict(f"Slurm environment {env.id} is {previous}; it cannot become {target.value}",
                       code="InvalidStateTransition")
    now = utcnow()
    env.status = target.value
    env.status_reason = reason
    env.updated_at = now
    if target is not S.READY:
        env.ssh_host = env.ssh_port = env.ssh_user = None
    if target in (S.ERROR, S.TERMINATED):
        env.gpus_placed = 0
    if target is S.TERMINATED:
        env.terminated_at = now
    outbox.record(session, EVENT_FOR[target], tenant_id=env.tenant_id, account_id=env.account_id,
                  team_id=env.team_id, resource_type=RESOURCE, resource_id=env.id,
                  data={**snapshot(env), "previous_status": previous})


async def gpus_held(s: AsyncSession, tenant_id: str) -> int:
    """GPUs the tenant's live environments hold or are acquiring (the quota registry's count)."""
    total = await s.scalar(
        select(func.coalesce(func.sum(SlurmEnvironment.max_nodes * SlurmEnvironment.gpu_per_node), 0))
        .where(SlurmEnvironment.tenant_id == tenant_id, SlurmEnvironment.status.in_(HOLDS_GPUS)))
    return int(total or 0)


quotas.register_gpu_usage("slurm", gpus_held)


def check_fits(data: SlurmEnvironmentCreate, caps: dict[str, int | None]) -> None:
    """The environment must fit the inventory's tier at all (else it would wait forever): 400 naming
    the field to change. ``caps``: GPUs of each tier in the inventory."""
    cap = caps.get(data.gpu_tier)
    if cap is None:  # the cluster does not say: nothing to check against
        return
    total = data.max_nodes * data.gpu_per_node
    if cap == 0:
        raise ValidationError(f"gpu_tier: the GPU inventory has no {data.gpu_tier} GPUs", field="gpu_tier")
    if data.gpu_per_node > cap:
        raise ValidationError(f"gpu_per_node: {data.gpu_per_node} {data.gpu_tier} GPUs per node is more than "
                              f"the {cap} the GPU inventory has", field="gpu_per_node")
    if total > cap:
        raise ValidationError(
            f"max_nodes: {data.max_nodes} nodes x {data.gpu_per_node} GPUs = {total} {data.gpu_tier} GPUs, more "
            f"than the {cap} the GPU inventory has (at most {cap // data.gpu_per_node} nodes of "
            f"{data.gpu_per_node})", field="max_nodes")


class SlurmService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals,
                 provisioner: Provisioner) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals
        self.provisioner = provisioner

    # -- reads -----------------------------------------------------------------------------------

    async def list(self, principal: Principal, page: PageRequest) -> Page[SlurmEnvironment]:
        """Live environments the caller can see (their own and their teams'), oldest first."""
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            stmt = select(SlurmEnvironment).where(access.visible(principal, SlurmEnvironment),
                                                  SlurmEnvironment.status != S.TERMINATED.value)
            return await self.pages.fetch(s, stmt, page, scope=f"slurm:{principal.account_id}",
                                          model=SlurmEnvironment)

    async def get(self, principal: Principal, env_id: str) -> SlurmEnvironment:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            env: SlurmEnvironment = await access.load_visible(s, principal, SlurmEnvironment, env_id, PREFIX,
                                                              "Slurm environment")
        return env

    # -- writes ----------------------------------------------------------------------------------

    async def create(self, principal: Principal, data: SlurmEnvironmentCreate, *,
                     dry_run: bool = False) -> SlurmEnvironment:
        principal.require(SCOPE, "write")
        check_fits(data, {c.tier: c.capacity for c in await self.provisioner.capacity()})
        async with self.db.transaction(dry_run=dry_run) as s:
            await access.check_share_team(s, principal, data.team_id)
            await self._check_name_free(s, principal, data.name)
            # The tenant's GPU limit counts the environment's GPUs from creation (pending included).
            await quotas.check_gpus(s, self.settings, principal.tenant_id, data.max_nodes * data.gpu_per_node)
            now = utcnow()
            env = SlurmEnvironment(
                id=new_id(PREFIX), tenant_id=principal.tenant_id, account_id=principal.account_id,
                team_id=data.team_id, name=data.name, gpu_tier=data.gpu_tier, max_nodes=data.max_nodes,
                gpu_per_node=data.gpu_per_node, status=S.PENDING.value, status_reason="waiting for GPUs",
                gpus_placed=0, created_at=now, updated_at=now,
            )
            s.add(env)
            outbox.record(s, "slurm.created", tenant_id=env.tenant_id, account_id=env.account_id,
                          team_id=env.team_id, resource_type=RESOURCE, resource_id=env.id,
                          data={**snapshot(env), "previous_status": None})
            try:
                await s.flush()
            except IntegrityError:
                raise self._name_taken(data.name) from None
        self._changed(dry_run)
        return env

    async def delete(self, principal: Principal, env_id: str, *, dry_run: bool = False) -> SlurmEnvironment:
        """Terminate the environment; the reconciler releases every GPU it holds."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            env: SlurmEnvironment = await access.load_visible(s, principal, SlurmEnvironment, env_id, PREFIX,
                                                              "Slurm environment", for_update=True)
            await access.require_manage(s, principal, env, "Slurm environment")
            move(s, env, S.TERMINATED, reason="delete requested")
        self._changed(dry_run)
        return env

    # -- helpers ---------------------------------------------------------------------------------

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()

    async def _check_name_free(self, s: AsyncSession, principal: Principal, name: str) -> None:
        taken = await s.scalar(select(SlurmEnvironment.id).where(
            SlurmEnvironment.account_id == principal.account_id, SlurmEnvironment.name == name,
            SlurmEnvironment.status != S.TERMINATED.value))
        if taken:
            raise self._name_taken(name)

    @staticmethod
    def _name_taken(name: str) -> Conflict:
        return Conflict(f"a Slurm environment named '{name}' already exists", code="ResourceAlreadyExists")
