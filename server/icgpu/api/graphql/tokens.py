"""GraphQL queries and mutations for prepaid tokens (the same services as REST): ``tokenBalance``,
``tokenUsage``, ``tokenPackages``, ``purchaseTokens``.

Balances are ``Float`` (a whole number of tokens): GraphQL's ``Int`` is 32-bit and a balance may
grow past it; single amounts (a purchase, a call's tokens, a package) fit an ``Int``."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.payloads import DryRun, MutationPayload
from icgpu.db.tables_tokens import TokenUsage as UsageRow
from icgpu.services.pagination import PageRequest
from icgpu.services.token_packages import CURRENCY
from icgpu.services.token_packages import TokenPackage as Package
from icgpu.services.tokens import Balance, Purchase
from icgpu.services.tokens import TokenPurchase as PurchaseInput

READ = [requires("tokens", "read")]
WRITE = [requires("tokens", "write")]


@strawberry.type(description="The tenant's prepaid tokens (whole numbers; Float because a balance may pass 2^31).")
class TokenBalance:
    balance: float = strawberry.field(description="The tenant's tokens.")
    reserved: float = strawberry.field(description="Held by LLM calls in flight.")
    available: float = strawberry.field(description="balance - reserved: what a new call may reserve.")
    updated_at: datetime | None

    @classmethod
    def of(cls, b: Balance) -> TokenBalance:
        return cls(balance=b.balance, reserved=b.reserved, available=b.available, updated_at=b.updated_at)


@strawberry.type(description="A credit of the balance: a purchase, or an operator's grant.")
class TokenPurchase:
    id: strawberry.ID
    kind: str = strawberry.field(description="purchase, or grant")
    amount: int = strawberry.field(description="Tokens added to the balance.")
    package_id: str | None
    price: float | None = strawberry.field(description="The package's price; null for a purchase by amount.")
    currency: str
    balance: float = strawberry.field(description="The balance right after this credit.")
    account_id: str | None = strawberry.field(description="Who purchased; null for an operator grant.")
    created_at: datetime

    @classmethod
    def of(cls, p: Purchase) -> TokenPurchase:
        return cls(id=strawberry.ID(p.id), kind=p.kind, amount=p.amount, package_id=p.package_id, price=p.price,
                   currency=CURRENCY, balance=p.balance_after, account_id=p.account_id, created_at=p.created_at)


@strawberry.type(description="A token purchase as the mutation made it (or would make it, in a dry run).")
class TokenPurchasePayload(MutationPayload):
    purchase: TokenPurchase


@strawberry.type(description="What one LLM call cost.")
class TokenUsage:
    id: strawberry.ID
    model: str
    prompt_tokens: int
    completion_tokens: int
    multiplier: float = strawberry.field(description="The model's token multiplier.")
    charged: int = strawberry.field(description="ceil((promptTokens + completionTokens) x multiplier), "
                                                "at most what the call reserved.")
    request_id: str | None = strawberry.field(description="The X-Request-Id of the call.")
    api_key_id: str | None = strawberry.field(description="The API key the call used; null for an OIDC token.")
    account_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, u: UsageRow) -> TokenUsage:
        return cls(id=strawberry.ID(u.id), model=u.model, prompt_tokens=u.prompt_tokens,
                   completion_tokens=u.completion_tokens, multiplier=u.multiplier, charged=u.charged,
                   request_id=u.request_id, api_key_id=u.api_key_id, account_id=u.account_id, created_at=u.created_at)


@strawberry.type(description="One page of token usage.")
class TokenUsageConnection:
    items: list[TokenUsage]
    next_token: str | None


@strawberry.type(description="A token package on offer (buy it with purchaseTokens(input: {packageId})).")
class TokenPackage:
    id: strawberry.ID
    name: str
    tokens: int
    price: float
    currency: str
    price_per_million: float

    @classmethod
    def of(cls, p: Package) -> TokenPackage:
        return cls(id=strawberry.ID(p.id), name=p.name, tokens=p.tokens, price=p.price, currency=p.currency,
                   price_per_million=p.price_per_million)


@strawberry.input(description="Give amount or packageId, one of the two.")
class PurchaseTokensInput:
    amount: int | None = strawberry.field(default=None, description="Tokens to add to the balance.")
    package_id: str | None = strawberry.field(default=None, description="Buy one package of tokenPackages.")


@strawberry.type
class TokenQueries:
    @strawberry.field(permission_classes=READ, description="Your tenant's token balance.")
    async def token_balance(self, info: Info) -> TokenBalance:
        ctx = info.context
        return TokenBalance.of(await ctx.platform.tokens.balance(await ctx.principal()))

    @strawberry.field(permission_classes=READ, description="Your tenant's LLM calls and what each cost, oldest "
                      "first, one page at a time; since / until are ISO 8601 times (since inclusive).")
    async def token_usage(self, info: Info, max_results: int | None = None, next_token: str | None = None,
                          since: str | None = None, until: str | None = None,
                          model: str | None = None) -> TokenUsageConnection:
        ctx = info.context
        page = await ctx.platform.tokens.usage(await ctx.principal(), PageRequest(max_results, next_token),
                                               since=since, until=until, model=model)
        return TokenUsageConnection(items=[TokenUsage.of(u) for u in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ, description="The token packages on offer.")
    async def token_packages(self, info: Info) -> list[TokenPackage]:
        ctx = info.context
        return [TokenPackage.of(p) for p in ctx.platform.tokens.packages(await ctx.principal())]


@strawberry.type
class TokenMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Credit your tenant's balance (an amount or a package).")
    async def purchase_tokens(self, info: Info, input: PurchaseTokensInput,
                              dry_run: DryRun = False) -> TokenPurchasePayload:
        ctx = info.context
        given = {"amount": input.amount, "package_id": input.package_id}
        data = parse_input(PurchaseInput, {k: v for k, v in given.items() if v is not None})
        purchase = await ctx.platform.tokens.purchase(await ctx.principal(), data, dry_run=dry_run)
        return TokenPurchasePayload(dry_run=dry_run, valid=True, purchase=TokenPurchase.of(purchase))
