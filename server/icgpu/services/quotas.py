"""Per-tenant limits shared by every kind of workload, taken and given back inside the caller's
transaction so a limit can never be overrun by two concurrent requests.

- Storage: one quota for instance disks, VM boot disks and VM disks (``Tenant.storage_used_gb``
  against ``Tenant.storage_quota_gb`` or the ``tenant_storage_quota_gb`` setting), moved with one
  conditional UPDATE.
- GPUs: each workload family registers, in ``GPU_USAGE``, a query for the GPUs its live workloads
  of a tenant hold; ``check_gpus`` refuses a request that would take the tenant past its limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables import Tenant
from icgpu.errors import Conflict
from icgpu.settings import Settings


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
        limit = (tenant.storage_quota_gb if tenant and tenant.storage_quota_gb is not None
                 else settings.tenant_storage_quota_gb)
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
