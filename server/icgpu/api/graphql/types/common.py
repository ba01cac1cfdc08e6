"""Shared GraphQL types: tiers, accounts, events."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from icgpu.db.tables import Account as AccountRow
from icgpu.services.tiers import TIERS
from icgpu.services.tiers import GpuTier as TierRow


@strawberry.type(description="A GPU tier with its isolation and per-hour prices.")
class GpuTier:
    id: str
    name: str
    isolation: str
    description: str
    gpu_memory_gb: int
    price_per_hour: float
    batch_price_per_hour: float = strawberry.field(description="Price for batch (preemptible) work: 50% off.")
    capacity: int | None
    available: int | None

    @classmethod
    def from_tier(cls, t: TierRow, capacity: int | None = None, available: int | None = None) -> GpuTier:
        return cls(id=t.id, name=t.name, isolation=t.isolation, description=t.description,
                   gpu_memory_gb=t.gpu_memory_gb, price_per_hour=float(t.price_per_hour),
                   batch_price_per_hour=float(t.batch_price_per_hour), capacity=capacity, available=available)


# Each tier's catalogue entry without capacity figures, shared by every instance on that tier
# (nothing changes a GpuTier once made).
CATALOGUE: dict[str, GpuTier] = {t.id: GpuTier.from_tier(t) for t in TIERS.values()}


@strawberry.type(description="An account: a person or service in a tenant.")
class Account:
    id: strawberry.ID
    email: str
    role: str

    @classmethod
    def from_row(cls, row: AccountRow) -> Account:
        return cls(id=strawberry.ID(row.id), email=row.email, role=row.role)


@strawberry.type(description="Something that happened to a resource.")
class Event:
    id: strawberry.ID
    type: str
    resource_type: str
    resource_id: strawberry.ID
    data: JSON
    created_at: datetime
