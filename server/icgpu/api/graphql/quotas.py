"""GraphQL ``quotas``: the caller's tenant's limits, what is used and what is left."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.permissions import Authenticated
from icgpu.services.quotas import Usage


@strawberry.type(description="The tenant's storage quota (instance disks, VM boot disks and VM disks).")
class StorageQuota:
    limit_gb: int
    used_gb: int
    remaining_gb: int


@strawberry.type(description="GPUs held by one workload family.")
class GpuFamilyUsage:
    family: str
    used: int


@strawberry.type(description="The tenant's GPU limit: GPUs its live workloads may hold at once (one per slot).")
class GpuQuota:
    limit: int
    used: int
    remaining: int
    by_family: list[GpuFamilyUsage]


@strawberry.type(description="Each limit of the tenant, what is used and what is left.")
class Quotas:
    storage: StorageQuota
    gpus: GpuQuota

    @classmethod
    def from_usage(cls, u: Usage) -> Quotas:
        return cls(
            storage=StorageQuota(limit_gb=u.storage_limit_gb, used_gb=u.storage_used_gb,
                                 remaining_gb=u.storage_remaining_gb),
            gpus=GpuQuota(limit=u.gpu_limit, used=u.gpus_used, remaining=u.gpus_remaining,
                          by_family=[GpuFamilyUsage(family=f, used=n) for f, n in u.gpus_by_family.items()]),
        )


@strawberry.type
class QuotaQueries:
    @strawberry.field(permission_classes=[Authenticated],
                      description="Your tenant's limits (storage, GPUs), what is used and what is left.")
    async def quotas(self, info: Info) -> Quotas:
        ctx = info.context
        return Quotas.from_usage(await ctx.platform.quotas.view(await ctx.principal()))
