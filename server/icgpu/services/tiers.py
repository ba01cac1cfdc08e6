"""The GPU tier catalogue: isolation, memory and per-hour prices (batch work runs at half price)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from icgpu.provisioning.base import Provisioner

BATCH_DISCOUNT = Decimal("0.5")
WORKLOAD_TYPES = ("interactive", "batch")


@dataclass(frozen=True)
class GpuTier:
    id: str
    name: str
    isolation: str
    description: str
    gpu_memory_gb: int
    price_per_hour: Decimal

    @property
    def batch_price_per_hour(self) -> Decimal:
        return (self.price_per_hour * (1 - BATCH_DISCOUNT)).quantize(Decimal("0.0001"))

    def hourly_price(self, workload_type: str) -> Decimal:
        return self.batch_price_per_hour if workload_type == "batch" else self.price_per_hour


TIERS: dict[str, GpuTier] = {
    t.id: t
    for t in (
        GpuTier(
            id="dedicated",
            name="Dedicated GPU",
            isolation="full",
            description="A whole GPU with full isolation.",
            gpu_memory_gb=80,
            price_per_hour=Decimal("2.4900"),
        ),
        GpuTier(
            id="mig",
            name="MIG slice",
            isolation="hardware",
            description="A Multi-Instance GPU slice with hardware memory isolation.",
            gpu_memory_gb=10,
            price_per_hour=Decimal("0.8900"),
        ),
        GpuTier(
            id="timesliced",
            name="Time-sliced GPU",
            isolation="none",
            description="A shared GPU without memory isolation; GPU memory is zeroed before each workload.",
            gpu_memory_gb=80,
            price_per_hour=Decimal("0.3900"),
        ),
    )
}

# Hourly price by (tier, workload type), as the float responses show: worked out once, not in
# Decimal for every row of every page.
HOURLY_PRICE: dict[tuple[str, str], float] = {
    (t.id, w): float(t.hourly_price(w)) for t in TIERS.values() for w in ("interactive", "batch")
}


@dataclass(frozen=True)
class TierAvailability:
    tier: GpuTier
    capacity: int | None  # slots of this tier in the cluster; None when the cluster does not say
    available: int | None


class TierService:
    """The public tier list: the catalogue with the cluster's current capacity."""

    def __init__(self, provisioner: Provisioner) -> None:
        self.provisioner = provisioner

    async def list(self) -> list[TierAvailability]:
        caps = {c.tier: c for c in await self.provisioner.capacity()}
        return [TierAvailability(t, caps[t.id].capacity if t.id in caps else None,
                                 caps[t.id].available if t.id in caps else None) for t in TIERS.values()]
