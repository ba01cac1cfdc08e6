"""dryRun on the token and spending-alert mutations: the payload shows what the call would do, and
nothing of the tenant changes (tenant_state: balance, purchases, alerts, notifications, events).

``TOKEN_DRY_RUNS`` has the signature of tests/server/test_graphql_mutations.py's ``DRY_RUNS`` cases
(server, person, people), so that walk can take them as they are; they also run here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.graphql_ops import Person, sign_in, unique
from tests.support.server import Server
from tests.support.tenant_state import tenant_state

People = Callable[..., Person]
DryRunCase = Callable[[Server, Person, People], None]


@pytest.fixture
def people(server: Server) -> Iterator[People]:
    made: list[Person] = []

    def make(tenant: str | None = None, email: str | None = None) -> Person:
        made.append(sign_in(server, tenant or unique("dry-tenant"), email or f"{unique('person')}@example.com"))
        return made[-1]

    yield make
    for p in made:
        p.close()


def dry(server: Server, p: Person, name: str, /, **variables: Any) -> dict[str, Any]:
    before = tenant_state(server, p.tenant)
    payload = p.call(name, dry=True, **variables)
    assert tenant_state(server, p.tenant) == before, f"the dry run of {name} wrote something"
    return payload


def _purchase(server: Server, me: Person, people: People) -> None:
    me.call("purchaseTokens", input={"amount": 100})
    would = dry(server, me, "purchaseTokens", input={"amount": 250})["purchase"]
    assert (would["kind"], would["amount"], would["balance"], would["accountId"]) == ("purchase", 250, 350, me.id)
    pkg = dry(server, me, "purchaseTokens", input={"packageId": "pkg-starter"})["purchase"]
    assert (pkg["packageId"], pkg["amount"], pkg["balance"]) == ("pkg-starter", 1_000_000, 1_000_100)
    err = me.fails("purchaseTokens", dry=True, input={"amount": 0})
    assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["field"] == "amount", err


def _create(server: Server, me: Person, people: People) -> None:
    would = dry(server, me, "createSpendingAlert", input={"name": "dry", "threshold": 10,
                                                          "notifyVia": "IN_APP"})["spendingAlert"]
    assert would["id"].startswith("alert-") and (would["name"], would["threshold"], would["notifyVia"]) == \
           ("dry", 10, "IN_APP")
    assert me.missing("spendingAlert", would["id"])


def _update(server: Server, me: Person, people: People) -> None:
    alert = me.call("createSpendingAlert", input={"name": "a", "threshold": 10})["spendingAlert"]
    would = dry(server, me, "updateSpendingAlert", id=alert["id"], input={"threshold": 99, "name": "b"})
    assert (would["spendingAlert"]["threshold"], would["spendingAlert"]["name"]) == (99, "b")
    assert me.get("spendingAlert", alert["id"]) == alert


def _delete(server: Server, me: Person, people: People) -> None:
    alert = me.call("createSpendingAlert", input={"name": "a", "threshold": 10})["spendingAlert"]
    assert dry(server, me, "deleteSpendingAlert", id=alert["id"])["spendingAlert"]["id"] == alert["id"]
    assert me.get("spendingAlert", alert["id"]) == alert
    other = people()
    assert other.fails("deleteSpendingAlert", dry=True, id=alert["id"])["extensions"]["code"] == \
           "ResourceNotFoundException"


TOKEN_DRY_RUNS: dict[str, DryRunCase] = {
    "purchaseTokens": _purchase,
    "createSpendingAlert": _create,
    "updateSpendingAlert": _update,
    "deleteSpendingAlert": _delete,
}


@pytest.mark.parametrize("name", sorted(TOKEN_DRY_RUNS))
def test_dry_run_shows_the_result_and_writes_nothing(server: Server, people: People, name: str) -> None:
    TOKEN_DRY_RUNS[name](server, people(), people)
