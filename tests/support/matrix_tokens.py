"""Authorization-matrix rows for prepaid tokens and spending alerts, walked by
tests/server/test_authz_matrix.py over REST and GraphQL: a purchase credits the caller's own tenant
(anyone with ``tokens`` write); a spending alert is its creator's own (create: anyone; update and
delete: its creator, everyone else "not found")."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables import Account
from icgpu.db.tables_tokens import SpendingAlert, TokenBalance
from tests.support.matrix import Actor, World
from tests.support.matrix_cases import ANYONE, PRIVATE, Case, Target, by_id, event_count, named

PURCHASE = "/api/v1/tokens/purchase"
ALERTS = "/api/v1/spending-alerts"
BUY = ("mutation Buy($amount: Int!) { purchaseTokens(input: {amount: $amount}) "
       "{ purchase { id amount balance } } }")
CREATE = ("mutation Create($name: String!) { createSpendingAlert(input: {name: $name, threshold: 1000}) "
          "{ spendingAlert { id } } }")
UPDATE = ("mutation Update($id: ID!, $threshold: Int!) { updateSpendingAlert(id: $id, input: {threshold: $threshold}) "
          "{ spendingAlert { id threshold } } }")


def buyer(w: World, a: Actor) -> Target:
    """The actor's own tenant, whose balance a purchase credits."""
    tenant_id = w.db.scalar(select(Account.tenant_id).where(Account.id == a.person.id))
    return {"tenant_id": str(tenant_id), "amount": 1000 + len(w.name("buy"))}


def balance(w: World, t: Target) -> int:
    return int(w.db.scalar(select(TokenBalance.balance).where(TokenBalance.tenant_id == t["tenant_id"])) or 0)


def existing_alert(w: World, a: Actor) -> Target:
    """An alert made by the creator (a plain member of the team): nobody else's to see."""
    r = w.people["creator"].api.post(ALERTS, json={"name": w.name("alert"), "threshold": 500})
    assert r.status_code == 201, r.text
    return {"alert_id": str(r.json()["id"]), "threshold": 700 + len(w.name("t"))}


def alert_state(w: World, t: Target) -> tuple[int | None, int]:
    async def look(s: AsyncSession) -> tuple[int | None, int]:
        threshold = await s.scalar(select(SpendingAlert.threshold).where(SpendingAlert.id == t["alert_id"]))
        return (None if threshold is None else int(threshold)), int(await event_count(s, t["alert_id"]))

    return w.db.run(look)


def fresh(w: World, a: Actor) -> Target:
    return {"name": w.name("alert")}


def rows() -> Iterator[Case]:
    yield Case(f"POST {PURCHASE}", "purchaseTokens", "own tenant", ANYONE, buyer, balance,
               lambda before, t: before + t["amount"], BUY, lambda t: {"amount": t["amount"]},
               lambda t: {"amount": t["amount"]})
    created: Callable[[World, Target], int] = named(SpendingAlert)
    yield Case(f"POST {ALERTS}", "createSpendingAlert", "own", ANYONE, fresh, created,
               lambda before, t: before + 1, CREATE, lambda t: {"name": t["name"]},
               lambda t: {"name": t["name"], "threshold": 1000})
    yield Case(f"PATCH {ALERTS}/{{alert_id}}", "updateSpendingAlert", "creator's", PRIVATE, existing_alert,
               alert_state, lambda before, t: (t["threshold"], before[1] + 1), UPDATE,
               lambda t: {"id": t["alert_id"], "threshold": t["threshold"]}, lambda t: {"threshold": t["threshold"]})
    yield Case(f"DELETE {ALERTS}/{{alert_id}}", "deleteSpendingAlert", "creator's", PRIVATE, existing_alert,
               alert_state, lambda before, t: (None, before[1] + 1),
               by_id("deleteSpendingAlert", "spendingAlert { id }"), lambda t: {"id": t["alert_id"]})
