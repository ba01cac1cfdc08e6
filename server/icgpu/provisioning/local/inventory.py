"""The simulated node's GPU inventory, parsed from ``ICGPU_LOCAL_INVENTORY``.

Syntax: comma-separated ``tier=COUNT`` or ``tier=GPUSxSHARES``. ``dedicated=4`` is four whole
GPUs; ``mig=2x7`` is two GPUs cut into seven MIG slices each; ``timesliced=2x4`` is two GPUs
shared four ways by time-slicing. Each slice or share is one schedulable slot.
"""

from __future__ import annotations

from dataclasses import dataclass

TIERS = ("dedicated", "mig", "timesliced")
_SLOT_KIND = {"mig": "mig", "timesliced": "ts"}


@dataclass(frozen=True)
class Slot:
    name: str
    tier: str
    index: int  # global position, used for the simulated SSH port


def parse_inventory(text: str) -> list[Slot]:
    slots: list[Slot] = []
    gpu = 0
    seen: set[str] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        tier, sep, amount = part.partition("=")
        tier = tier.strip()
        if not sep or tier not in TIERS or tier in seen:
            raise ValueError(f"bad inventory entry {part!r}: expected dedicated=N, mig=GxS or timesliced=GxS")
        seen.add(tier)
        gpus_text, times, shares_text = amount.partition("x")
        try:
            gpus = int(gpus_text)
            shares = int(shares_text) if times else 1
        except ValueError:
            raise ValueError(f"bad inventory entry {part!r}: counts must be integers") from None
        if gpus < 0 or shares < 1 or (tier == "dedicated" and shares != 1):
            raise ValueError(f"bad inventory entry {part!r}")
        for _ in range(gpus):
            for share in range(shares):
                name = f"gpu{gpu}" if tier == "dedicated" else f"gpu{gpu}/{_SLOT_KIND[tier]}{share}"
                slots.append(Slot(name=name, tier=tier, index=len(slots)))
            gpu += 1
    return slots
