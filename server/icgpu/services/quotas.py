"""Per-tenant limits shared by every kind of workload, taken and given back inside the caller's
transaction so a limit can never be overrun by two concurrent requests.

- Storage: one quota for instance disks, VM boot disks and VM disks (``Tenant.storage_used_gb``
  against ``Tenant.storage_quota_gb`` or the ``tenant_storage_quota_gb`` setting), moved with one
  conditional UPDATE.
- GPUs: each workload family registers, in ``GPU_USAGE``, a query for the GPUs its live workloads
  of a tenant hold; ``check_gpus`` refuses a request that would take the tenant past its limit
  (``Tenant.gpu_limit`` or the ``tenant_gpu_limit`` setting). Every family calls it when a workload
  is created or started, in the transaction that makes the workload count.

``usage`` is what ``GET /api/v1/quotas`` and the GraphQL ``quotas`` field show.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.database import Database
from icgpu.db.tables import Tenant
from icgpu.errors import Conflict, NotFound, ValidationError
from icgpu.settings import Settings

MAX_LIMIT = 1_000_000_000  # an override above this is a typo


async def reserve_storage(s: AsyncSession, settings: Settings, tenant_id: str, gb: int) -> None:
    """Atomically add ``gb`` to the tenant's storage if it stays within the quota (409 otherwise)."""
    quota = func.coalesce(Tenant.storage_quota_gb, settings.tenant_storage_quota_gb)
    res = await s.execute(
        update(Tenant)
        .where(Tenant.id == tenant_id, Tenant.storage_used_gb + gb <= quota)
        .values(storage_used_gb=Tenant.storage_used_gb + gb)
    )
    if not res.rowcount:  # type: ignore[attr-defined]
        tenant = await s.get(Tenant, tenant_id)
        limit = storage_limit(settings, tenant)
        used = tenant.storage_used_gb if tenant else 0
        raise Conflict(
            f"storage quota exceeded: the tenant uses {used} GB of {limit} GB; {gb} GB more does not fit",
            code="StorageQuotaExceeded",
        )


async def release_storage(s: AsyncSession, tenant_id: str, gb: int) -> None:
    """Give ``gb`` back (never below zero)."""
    floor = func.max if s.get_bind().dialect.name == "sqlite" else func.greatest
    await s.execute(
        update(Tenant).where(Tenant.id == tenant_id).values(storage_used_gb=floor(Tenant.storage_used_gb - gb, 0))
    )


# GPUs held by one family's live workloads of a tenant: (session, tenant_id) -> count.
GpuUsage = Callable[[AsyncSession, str], Awaitable[int]]
GPU_USAGE: dict[str, GpuUsage] = {}


def register_gpu_usage(family: str, usage: GpuUsage) -> None:
    """Count ``family``'s GPUs in the tenant's usage (called once, at import of the family's service)."""
    GPU_USAGE[family] = usage


async def gpus_in_use(s: AsyncSession, tenant_id: str) -> dict[str, int]:
    """GPUs held now, per family."""
    return {family: await usage(s, tenant_id) for family, usage in sorted(GPU_USAGE.items())}


def gpu_limit(settings: Settings, tenant: Tenant | None) -> int:
    return tenant.gpu_limit if tenant is not None and tenant.gpu_limit is not None else settings.tenant_gpu_limit


def storage_limit(settings: Settings, tenant: Tenant | None) -> int:
    return (tenant.storage_quota_gb if tenant is not None and tenant.storage_quota_gb is not None
            else settings.tenant_storage_quota_gb)


async def check_gpus(s: AsyncSession, settings: Settings, tenant_id: str, wanted: int) -> None:
    """Refuse (409 ``GpuQuotaExceeded``) a request for ``wanted`` more GPUs that would take the
    tenant's live workloads past its GPU limit. Call it in the transaction that creates or starts
    the workload, before the workload counts in its family's usage. The tenant's row is locked
    first (a no-op UPDATE: a row lock on PostgreSQL, the write lock on SQLite), so two concurrent
    requests of one tenant are counted one after the other and cannot both pass."""
    if wanted <= 0:
        return
    await s.execute(update(Tenant).where(Tenant.id == tenant_id).values(gpu_limit=Tenant.gpu_limit))
    tenant = await s.get(Tenant, tenant_id, populate_existing=True)
    limit = gpu_limit(settings, tenant)
    used = sum((await gpus_in_use(s, tenant_id)).values())
    if used + wanted > limit:
        raise Conflict(
            f"GPU quota exceeded: the tenant's workloads hold {used} of {limit} GPUs; "
            f"{wanted} more {'does' if wanted == 1 else 'do'} not fit",
            code="GpuQuotaExceeded",
        )


@dataclass(frozen=True)
class Usage:
    """A tenant's limits, what is used and what is left."""

    storage_limit_gb: int
    storage_used_gb: int
    gpu_limit: int
    gpus_used: int
    gpus_by_family: dict[str, int]

    @property
    def storage_remaining_gb(self) -> int:
        return max(self.storage_limit_gb - self.storage_used_gb, 0)

    @property
    def gpus_remaining(self) -> int:
        return max(self.gpu_limit - self.gpus_used, 0)


async def usage(s: AsyncSession, settings: Settings, tenant_id: str) -> Usage:
    tenant = await s.get(Tenant, tenant_id)
    by_family = await gpus_in_use(s, tenant_id)
    return Usage(
        storage_limit_gb=storage_limit(settings, tenant),
        storage_used_gb=tenant.storage_used_gb if tenant is not None else 0,
        gpu_limit=gpu_limit(settings, tenant),
        gpus_used=sum(by_family.values()),
        gpus_by_family=by_family,
    )


class QuotaService:
    """The quota view every caller of a tenant may read, and the operator's per-tenant overrides."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def view(self, principal: Principal) -> Usage:
        """The caller's tenant: each limit, what is used and what is left (any valid credential)."""
        async with self.db.read() as s:
            return await usage(s, self.settings, principal.tenant_id)

    async def set_limits(self, tenant_name: str, *, gpus: int | None = None,
                         storage_gb: int | None = None) -> tuple[Tenant, Usage]:
        """Override a tenant's GPU limit and/or storage quota (``icgpu admin quota set``). A limit
        below what is in use is allowed: nothing running is stopped, but nothing more fits."""
        if gpus is None and storage_gb is None:
            raise ValidationError("name a limit to set: --gpus and/or --storage-gb")
        for name, value in (("gpus", gpus), ("storage_gb", storage_gb)):
            if value is not None and not 0 <= value <= MAX_LIMIT:
                raise ValidationError(f"{name}: must be between 0 and {MAX_LIMIT}", field=name)
        async with self.db.transaction() as s:
            tenant = await s.scalar(select(Tenant).where(Tenant.name == tenant_name.strip()).with_for_update())
            if tenant is None:
                raise NotFound(f"tenant '{tenant_name}' not found")
            if gpus is not None:
                tenant.gpu_limit = gpus
            if storage_gb is not None:
                tenant.storage_quota_gb = storage_gb
            await s.flush()
            return tenant, await usage(s, self.settings, tenant.id)
