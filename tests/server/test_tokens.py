"""Prepaid tokens over HTTP: the documented curl flow (balance, purchase, usage), token packages
(tokens scope), purchase by package, every bad input naming its field, the operator switch that turns
self-service purchase off and the CLI grant, usage filters and pages, and the same over GraphQL.
Calls are metered here through TokenService on the server's own database (the /v1 gateway's path)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from icgpu.auth.principal import Principal
from icgpu.db.database import Database
from icgpu.db.tables import Account
from icgpu.services.tokens import TokenService
from icgpu.settings import Settings
from tests.support.contracts import assert_error
from tests.support.graphql import gql_data, gql_error
from tests.support.server import Server
from tests.support.tenants import Tenant

TOKENS = "/api/v1/tokens"
BALANCE = "{ tokenBalance { balance reserved available updatedAt } }"
USAGE = ("query($max: Int, $next: String, $since: String, $until: String, $model: String) "
         "{ tokenUsage(maxResults: $max, nextToken: $next, since: $since, until: $until, model: $model) "
         "{ items { id model promptTokens completionTokens multiplier charged requestId apiKeyId accountId createdAt } "
         "nextToken } }")
PURCHASE = ("mutation($input: PurchaseTokensInput!, $dry: Boolean!) { purchaseTokens(input: $input, dryRun: $dry) "
            "{ dryRun valid purchase { id kind amount packageId price currency balance accountId createdAt } } }")


def meter(server: Server, account_id: str, calls: list[tuple[int, int, int, float, str]], *,
          api_key_id: str | None = None) -> list[int]:
    """Run each call (reserve, prompt, completion, multiplier, model) through reserve and settle on
    the server's database, as the /v1 gateway does; the charges."""

    async def run() -> list[int]:
        db = Database(server.db_url)
        try:
            async with db.read() as s:
                tenant_id = await s.scalar(select(Account.tenant_id).where(Account.id == account_id))
            p = Principal(account_id=account_id, tenant_id=str(tenant_id), email="x@example.com", role="owner",
                          via="api_key" if api_key_id else "oidc", api_key_id=api_key_id)
            tokens = TokenService(db, Settings(data_dir=server.tmp / "data", database_url=server.db_url), None)  # type: ignore[arg-type]
            charged = []
            for n, (hold, prompt, completion, mult, model) in enumerate(calls):
                r = await tokens.reserve(p, amount=hold, model=model)
                done = await tokens.settle(r, prompt_tokens=prompt, completion_tokens=completion, multiplier=mult,
                                           model=model, request_id=f"req-{n}", api_key_id=api_key_id)
                charged.append(done.charged)
            return charged
        finally:
            await db.close()

    return asyncio.run(run())


def balance(api: httpx.Client) -> dict[str, Any]:
    r = api.get(f"{TOKENS}/balance")
    assert r.status_code == 200, r.text
    return dict(r.json())


def buy(api: httpx.Client, **body: Any) -> dict[str, Any]:
    r = api.post(f"{TOKENS}/purchase", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_the_documented_flow(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    assert balance(alice.api) == {"balance": 0, "reserved": 0, "available": 0, "updated_at": None}
    bought = buy(alice.api, amount=1_000_000)
    assert bought["id"].startswith("tpur-") and bought["kind"] == "purchase"
    assert (bought["amount"], bought["balance"], bought["package_id"], bought["price"]) == (1_000_000, 1_000_000,
                                                                                            None, None)
    assert bought["account_id"] == alice.account_id
    now = balance(alice.api)
    assert (now["balance"], now["reserved"], now["available"]) == (1_000_000, 0, 1_000_000)
    assert balance(alice.key_api) == now  # the API key is the same account
    r = alice.api.get(f"{TOKENS}/usage")
    assert r.status_code == 200 and r.json() == {"usage": [], "nextToken": None}, r.text
    # Another tenant's balance is its own.
    bob = tenant_factory()
    assert balance(bob.api)["balance"] == 0
    # A dry run checks everything and credits nothing.
    r = alice.api.post(f"{TOKENS}/purchase", params={"dryRun": "true"}, json={"amount": 5})
    assert r.status_code == 200 and r.json()["dryRun"] is True and r.json()["purchase"]["balance"] == 1_000_005
    assert balance(alice.api)["balance"] == 1_000_000


def test_packages_need_the_tokens_scope_and_are_purchasable(server: Server, alice: Tenant) -> None:
    query = "{ tokenPackages { id name tokens price currency pricePerMillion } }"
    with server.client() as anonymous:
        assert_error(anonymous.get(f"{TOKENS}/packages"), 401, "AuthenticationError")
        assert gql_error(anonymous, query)["extensions"]["code"] == "AuthenticationError"
    keys = {scope: alice.api.post("/api/v1/api-keys", json={"name": scope, "scopes": [scope],
                                                            "permissions": ["read"]}).json()["key"]
            for scope in ("models", "tokens")}
    with server.client(keys["models"]) as other:
        assert_error(other.get(f"{TOKENS}/packages"), 403, "AccessDeniedException", code="ScopeNotGranted")
    with server.client(keys["tokens"]) as reader:
        r = reader.get(f"{TOKENS}/packages")
        assert r.status_code == 200, r.text
        listed = r.json()["packages"]
        data = gql_data(reader, query)
    assert [p["id"] for p in listed] == ["pkg-starter", "pkg-growth", "pkg-scale", "pkg-enterprise"]
    assert [p["tokens"] for p in listed] == sorted(p["tokens"] for p in listed)
    assert [p["id"] for p in data["tokenPackages"]] == [p["id"] for p in listed]
    growth = next(p for p in listed if p["id"] == "pkg-growth")
    bought = buy(alice.api, packageId="pkg-growth")
    assert (bought["amount"], bought["package_id"], bought["price"], bought["currency"]) == \
           (growth["tokens"], "pkg-growth", growth["price"], "USD")
    assert balance(alice.api)["balance"] == growth["tokens"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "amount"),
    ({"amount": 0}, "amount"),
    ({"amount": -5}, "amount"),
    ({"amount": "100"}, "amount"),
    ({"amount": 1.5}, "amount"),
    ({"amount": True}, "amount"),
    ({"amount": 2**31}, "amount"),
    ({"amount": 10, "packageId": "pkg-starter"}, "amount"),
    ({"packageId": "pkg-nope"}, "packageId"),
    ({"packageId": "pkg-\u0000"}, "packageId"),
    ({"amount": 10, "extra": 1}, "extra"),
])
def test_bad_purchases_name_the_field(server: Server, alice: Tenant, body: dict[str, Any], field: str) -> None:
    before = balance(alice.api)
    assert_error(alice.api.post(f"{TOKENS}/purchase", json=body), 400, "ValidationException", field=field)
    assert balance(alice.api) == before


def test_operators_switch_self_purchase_off_and_grant(make_server: Any) -> None:
    from tests.support.tenants import open_tenant

    srv: Server = make_server(ICGPU_TOKEN_SELF_PURCHASE="false")
    with open_tenant(srv, "granted", "owner@granted.example.com") as t:
        r = t.api.post(f"{TOKENS}/purchase", json={"amount": 10})
        err = assert_error(r, 403, "AccessDeniedException", code="SelfPurchaseDisabled")
        assert "icgpu admin tokens grant" in err["message"]
        refused = gql_error(t.api, PURCHASE, {"input": {"amount": 10}, "dry": False})
        assert refused["extensions"]["code"] == "AccessDeniedException", refused
        out = srv.cli("admin", "tokens", "grant", "--tenant", "granted", "--amount", "2500", "--note", "trial")
        grant = json.loads(out.stdout)
        assert grant["id"].startswith("tpur-") and (grant["amount"], grant["balance"], grant["note"]) == \
               (2500, 2500, "trial")
        assert balance(t.api)["balance"] == 2500
        for args, message in ((("--tenant", "nobody", "--amount", "5"), "not found"),
                              (("--tenant", "granted", "--amount", "0"), "amount"),
                              (("--tenant", "granted", "--amount", "-3"), "amount")):
            bad = srv.cli("admin", "tokens", "grant", *args, check=False)
            assert bad.returncode != 0 and message in bad.stderr, (args, bad.stderr)
        assert balance(t.api)["balance"] == 2500


def test_usage_rows_filters_and_pages(server: Server, alice: Tenant) -> None:
    buy(alice.api, amount=10_000)
    start = datetime.now(UTC) - timedelta(seconds=1)
    charged = meter(server, alice.account_id, [(500, 100, 50, 1.0, "llama-3-8b"),
                                               (500, 10, 0, 2.0, "bge-large-en-v1.5"),
                                               (100, 90, 90, 1.0, "llama-3-8b")])
    assert charged == [150, 20, 100]  # the last is capped at what it reserved
    after = balance(alice.api)
    assert (after["balance"], after["reserved"]) == (10_000 - 270, 0)
    rows = alice.api.get(f"{TOKENS}/usage").json()["usage"]
    assert [(u["model"], u["prompt_tokens"], u["completion_tokens"], u["charged"]) for u in rows] == \
           [("llama-3-8b", 100, 50, 150), ("bge-large-en-v1.5", 10, 0, 20), ("llama-3-8b", 90, 90, 100)]
    assert [u["request_id"] for u in rows] == ["req-0", "req-1", "req-2"]
    assert all(u["account_id"] == alice.account_id and u["api_key_id"] is None for u in rows)
    assert sum(u["charged"] for u in rows) == 270
    # Filters.
    only = alice.api.get(f"{TOKENS}/usage", params={"model": "llama-3-8b"}).json()["usage"]
    assert [u["charged"] for u in only] == [150, 100]
    since = alice.api.get(f"{TOKENS}/usage", params={"since": start.isoformat()}).json()["usage"]
    assert len(since) == 3
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert alice.api.get(f"{TOKENS}/usage", params={"since": later}).json()["usage"] == []
    assert len(alice.api.get(f"{TOKENS}/usage", params={"until": later}).json()["usage"]) == 3
    assert alice.api.get(f"{TOKENS}/usage", params={"until": start.isoformat()}).json()["usage"] == []
    # Pages of one, following nextToken.
    seen: list[str] = []
    token = None
    for _ in range(10):
        params: dict[str, Any] = {"maxResults": 1, "model": "llama-3-8b"}
        if token:
            params["nextToken"] = token
        page = alice.api.get(f"{TOKENS}/usage", params=params).json()
        seen += [u["id"] for u in page["usage"]]
        token = page["nextToken"]
        if token is None:
            break
    assert seen == [u["id"] for u in only]
    # A page token of one filter is refused for another.
    first = alice.api.get(f"{TOKENS}/usage", params={"maxResults": 1}).json()
    r = alice.api.get(f"{TOKENS}/usage", params={"maxResults": 1, "model": "x", "nextToken": first["nextToken"]})
    assert_error(r, 400, "ValidationException", code="InvalidPaginationToken", field="nextToken")
    # GraphQL shows the same rows.
    data = gql_data(alice.api, USAGE, {"model": "llama-3-8b"})["tokenUsage"]
    assert [u["id"] for u in data["items"]] == [u["id"] for u in only] and data["nextToken"] is None
    assert data["items"][0]["promptTokens"] == 100 and data["items"][0]["charged"] == 150


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "yesterday"}, "since"),
    ({"until": "2026-13-01"}, "until"),
    ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
    ({"model": "x" * 201}, "model"),
    ({"model": "llama\u0000"}, "model"),
    ({"since": "2026-01-01\u0000"}, "since"),
    ({"maxResults": 0}, "maxResults"),
    ({"unknown": "1"}, None),
])
def test_bad_usage_filters_name_the_field(server: Server, alice: Tenant, params: dict[str, Any],
                                          field: str | None) -> None:
    assert_error(alice.api.get(f"{TOKENS}/usage", params=params), 400, "ValidationException", field=field)
    if field in ("since", "until", "model"):
        err = gql_error(alice.api, USAGE, params)
        assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["field"] == field, err


def test_graphql_balance_and_purchase(server: Server, alice: Tenant) -> None:
    assert gql_data(alice.api, BALANCE)["tokenBalance"] == {"balance": 0, "reserved": 0, "available": 0,
                                                             "updatedAt": None}
    dry = gql_data(alice.api, PURCHASE, {"input": {"amount": 700}, "dry": True})["purchaseTokens"]
    assert dry["dryRun"] is True and dry["purchase"]["balance"] == 700
    assert gql_data(alice.api, BALANCE)["tokenBalance"]["balance"] == 0
    real = gql_data(alice.api, PURCHASE, {"input": {"packageId": "pkg-starter"}, "dry": False})["purchaseTokens"]
    assert real["dryRun"] is False and real["purchase"]["packageId"] == "pkg-starter"
    assert real["purchase"]["amount"] == 1_000_000 and real["purchase"]["accountId"] == alice.account_id
    assert gql_data(alice.api, BALANCE)["tokenBalance"]["balance"] == 1_000_000
    for variables, field in (({"amount": 0}, "amount"), ({}, "amount"), ({"packageId": "nope"}, "packageId"),
                             ({"amount": 5, "packageId": "pkg-starter"}, "amount")):
        err = gql_error(alice.api, PURCHASE, {"input": variables, "dry": False})
        assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["field"] == field, err
    assert gql_data(alice.api, BALANCE)["tokenBalance"]["balance"] == 1_000_000
    # REST and GraphQL read the same balance.
    assert balance(alice.api)["available"] == 1_000_000


def test_the_server_sweeps_a_crashed_calls_hold(make_server: Any) -> None:
    """A call reserved and never settled (its process died): the server's sweeper gives the hold back
    once the reservation has expired."""
    from tests.support.server import wait_for
    from tests.support.tenants import open_tenant

    srv: Server = make_server(ICGPU_TOKEN_SWEEP_INTERVAL_SECONDS="0.2")
    with open_tenant(srv, "crashy", "owner@crashy.example.com") as t:
        buy(t.api, amount=1000)

        async def hold() -> None:
            db = Database(srv.db_url)
            try:
                async with db.read() as s:
                    tenant_id = await s.scalar(select(Account.tenant_id).where(Account.id == t.account_id))
                p = Principal(account_id=t.account_id, tenant_id=str(tenant_id), email="x@example.com", role="owner",
                              via="oidc")
                settings = Settings(data_dir=srv.tmp / "data", database_url=srv.db_url)
                await TokenService(db, settings, None).reserve(p, amount=600, model="m", ttl_seconds=1.0)  # type: ignore[arg-type]
            finally:
                await db.close()

        asyncio.run(hold())
        held = balance(t.api)
        assert (held["balance"], held["reserved"], held["available"]) == (1000, 600, 400)
        wait_for(lambda: balance(t.api)["reserved"] == 0, timeout=30, what="the sweeper to release the hold")
        assert balance(t.api) | {"updated_at": None} == {"balance": 1000, "reserved": 0, "available": 1000,
                                                         "updated_at": None}
