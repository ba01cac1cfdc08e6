"""/api/v1/tokens: the tenant's balance, purchases, usage and the token packages (protocol mapping
only; every rule is in services/tokens.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.api.rest.schemas import DryRun as DryRunShape
from icgpu.api.rest.schemas import Shape, one_of
from icgpu.db.tables_tokens import TokenUsage as UsageRow
from icgpu.services.token_packages import CURRENCY
from icgpu.services.token_packages import TokenPackage as Package
from icgpu.services.tokens import Balance, TokenPurchase
from icgpu.services.tokens import Purchase as PurchaseRow
from icgpu.services.validation import parse

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], route_class=AuthedRoute)


# -- shapes (the OpenAPI document) -----------------------------------------------------------------

class TokenBalance(Shape):
    balance: int = Field(description="the tenant's tokens")
    reserved: int = Field(description="held by LLM calls in flight (given back or charged when each ends)")
    available: int = Field(description="balance - reserved: what a new call may reserve")
    updated_at: datetime | None


class Purchase(Shape):
    id: str
    kind: str = one_of(("purchase", "grant"))
    amount: int = Field(description="tokens added to the balance")
    package_id: str | None
    price: float | None = Field(description="the package's price; null for a purchase by amount")
    currency: str
    balance: int = Field(description="the balance right after this credit")
    account_id: str | None = Field(description="who purchased; null for an operator grant")
    created_at: datetime


class DryRunPurchase(DryRunShape):
    purchase: Purchase


class TokenUsage(Shape):
    id: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    multiplier: float = Field(description="the model's token multiplier")
    charged: int = Field(description="ceil((prompt_tokens + completion_tokens) x multiplier), at most what "
                                     "was reserved")
    request_id: str | None = Field(description="the X-Request-Id of the call")
    api_key_id: str | None = Field(description="the API key the call used; null for an OIDC token")
    account_id: str | None
    created_at: datetime


class TokenUsageList(Shape):
    usage: list[TokenUsage]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class TokenPackage(Shape):
    id: str
    name: str
    tokens: int
    price: float
    currency: str
    price_per_million: float


class TokenPackageList(Shape):
    packages: list[TokenPackage]


# -- JSON --------------------------------------------------------------------------------------------

def balance_json(b: Balance) -> dict[str, Any]:
    return {"balance": b.balance, "reserved": b.reserved, "available": b.available,
            "updated_at": b.updated_at.isoformat() if b.updated_at else None}


def purchase_json(p: PurchaseRow) -> dict[str, Any]:
    return {"id": p.id, "kind": p.kind, "amount": p.amount, "package_id": p.package_id, "price": p.price,
            "currency": CURRENCY, "balance": p.balance_after, "account_id": p.account_id,
            "created_at": p.created_at.isoformat()}


def usage_json(u: UsageRow) -> dict[str, Any]:
    return {"id": u.id, "model": u.model, "prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens,
            "multiplier": u.multiplier, "charged": u.charged, "request_id": u.request_id, "api_key_id": u.api_key_id,
            "account_id": u.account_id, "created_at": u.created_at.isoformat()}


def package_json(p: Package) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "tokens": p.tokens, "price": p.price, "currency": p.currency,
            "price_per_million": p.price_per_million}


# -- routes ------------------------------------------------------------------------------------------

@router.get("/balance", **operation(TokenBalance, summary="Token Balance"))
async def get_balance(platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, balance_json(await platform.tokens.balance(principal)))


@router.post("/purchase", **operation(Purchase, status=201, body=TokenPurchase, dry_run=DryRunPurchase,
                                      summary="Purchase Tokens"))
async def purchase_tokens(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                          dry_run: DryRun) -> dict[str, Any]:
    data = parse(TokenPurchase, await read_json(request))
    purchase = await platform.tokens.purchase(principal, data, dry_run=dry_run)
    return created(response, dry_run, "purchase", purchase_json(purchase))


@router.get("/usage", **operation(TokenUsageList, summary="Token Usage"))
async def list_usage(
    platform: PlatformDep, principal: CurrentPrincipal, page: PageDep,
    since: Annotated[str | None, Query(description="ISO 8601; calls at or after this time")] = None,
    until: Annotated[str | None, Query(description="ISO 8601; calls before this time")] = None,
    model: Annotated[str | None, Query(description="only calls to this model name")] = None,
) -> Response | dict[str, Any]:
    result = await platform.tokens.usage(principal, page, since=since, until=until, model=model)
    return ok(platform, {"usage": [usage_json(u) for u in result.items], "nextToken": result.next_token})


@router.get("/packages", **operation(TokenPackageList, summary="Token Packages"))
async def list_packages(platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, {"packages": [package_json(p) for p in platform.tokens.packages(principal)]})
