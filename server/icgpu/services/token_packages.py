"""The token packages on offer: a static price list (what ``GET /api/v1/tokens/packages``, the
GraphQL ``tokenPackages`` field and the Terraform data source ``icgpu_token_packages`` show, and
what ``POST /api/v1/tokens/purchase {"packageId": ...}`` buys), read with the ``tokens`` scope."""

from __future__ import annotations

from dataclasses import dataclass

CURRENCY = "USD"


@dataclass(frozen=True)
class TokenPackage:
    id: str
    name: str
    tokens: int
    price: float  # in CURRENCY
    currency: str = CURRENCY

    @property
    def price_per_million(self) -> float:
        return round(self.price * 1_000_000 / self.tokens, 4)


PACKAGES: dict[str, TokenPackage] = {p.id: p for p in (
    TokenPackage("pkg-starter", "Starter", 1_000_000, 2.00),
    TokenPackage("pkg-growth", "Growth", 10_000_000, 18.00),
    TokenPackage("pkg-scale", "Scale", 100_000_000, 150.00),
    TokenPackage("pkg-enterprise", "Enterprise", 1_000_000_000, 1200.00),
)}


def packages() -> list[TokenPackage]:
    """Every package, smallest first."""
    return sorted(PACKAGES.values(), key=lambda p: p.tokens)
