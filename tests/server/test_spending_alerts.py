"""Spending alerts over HTTP: the documented curl flow (create, list, PATCH threshold, delete), get,
every bad input naming its field, other accounts' alerts are "not found", the same over GraphQL;
balance.low fires once per crossing below a threshold and re-arms on a purchase, balance.depleted
at zero, both as outbox events without secrets; in_app alerts leave notifications (REST and GraphQL)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from icgpu.db.tables import Event
from tests.server.test_tokens import buy, meter
from tests.support.contracts import assert_error
from tests.support.graphql import db_scalars, gql_data, gql_error
from tests.support.server import Server
from tests.support.tenants import Tenant

ALERTS = "/api/v1/spending-alerts"
NOTIFICATIONS = "/api/v1/notifications"
ALERT = "id name threshold notifyVia armed lastFiredAt accountId createdAt updatedAt"
CREATE = (f"mutation($input: CreateSpendingAlertInput!, $dry: Boolean!) {{ createSpendingAlert(input: $input, "
          f"dryRun: $dry) {{ dryRun valid spendingAlert {{ {ALERT} }} }} }}")
UPDATE = (f"mutation($id: ID!, $input: UpdateSpendingAlertInput!) {{ updateSpendingAlert(id: $id, input: $input) "
          f"{{ dryRun valid spendingAlert {{ {ALERT} }} }} }}")
DELETE = f"mutation($id: ID!) {{ deleteSpendingAlert(id: $id) {{ dryRun valid spendingAlert {{ {ALERT} }} }} }}"
GET = f"query($id: ID!) {{ spendingAlert(id: $id) {{ {ALERT} }} }}"
LIST = (f"query($max: Int, $next: String) {{ spendingAlerts(maxResults: $max, nextToken: $next) "
        f"{{ items {{ {ALERT} }} nextToken }} }}")
NOTES = ("query($max: Int, $next: String) { notifications(maxResults: $max, nextToken: $next) "
         "{ items { id type alertId message data createdAt } nextToken } }")


def create(api: httpx.Client, **body: Any) -> dict[str, Any]:
    r = api.post(ALERTS, json=body)
    assert r.status_code == 201, r.text
    alert: dict[str, Any] = r.json()
    assert r.headers["Location"] == f"{ALERTS}/{alert['id']}"
    return alert


def fired(server: Server, type_: str, alert_id: str) -> list[dict[str, Any]]:
    return [dict(d) for d in db_scalars(server, select(Event.data).where(Event.type == type_,
                                                                         Event.resource_id == alert_id)
                                        .order_by(Event.seq))]


def test_the_documented_flow(server: Server, alice: Tenant) -> None:
    alert = create(alice.api, name="Low balance warning", threshold=100000, notifyVia="webhook")
    assert alert["id"].startswith("alert-")
    assert (alert["name"], alert["threshold"], alert["notify_via"], alert["armed"]) == \
           ("Low balance warning", 100000, "webhook", False)  # the balance (0) is already below it
    r = alice.api.get(ALERTS)
    assert r.status_code == 200 and [a["id"] for a in r.json()["alerts"]] == [alert["id"]], r.text
    r = alice.api.patch(f"{ALERTS}/{alert['id']}", json={"threshold": 50000})
    assert r.status_code == 200 and r.json()["threshold"] == 50000, r.text
    r = alice.api.patch(f"{ALERTS}/{alert['id']}", json={"name": "renamed", "notifyVia": "in_app"})
    assert r.status_code == 200 and (r.json()["name"], r.json()["notify_via"]) == ("renamed", "in_app"), r.text
    got = alice.api.get(f"{ALERTS}/{alert['id']}").json()
    assert (got["name"], got["threshold"], got["notify_via"]) == ("renamed", 50000, "in_app")
    # A dry-run delete shows the alert and keeps it.
    r = alice.api.delete(f"{ALERTS}/{alert['id']}", params={"dryRun": "true"})
    assert r.status_code == 200 and r.json()["dryRun"] is True and r.json()["alert"]["id"] == alert["id"], r.text
    assert alice.api.get(f"{ALERTS}/{alert['id']}").status_code == 200
    r = alice.api.delete(f"{ALERTS}/{alert['id']}")
    assert r.status_code == 200 and r.json()["id"] == alert["id"], r.text
    assert_error(alice.api.get(f"{ALERTS}/{alert['id']}"), 404, "ResourceNotFoundException")
    assert_error(alice.api.delete(f"{ALERTS}/{alert['id']}"), 404, "ResourceNotFoundException")
    assert alice.api.get(ALERTS).json() == {"alerts": [], "nextToken": None}
    events = [e for e in db_scalars(server, select(Event.type).where(Event.resource_id == alert["id"])
                                    .order_by(Event.seq))]
    assert events == ["spending_alert.created", "spending_alert.updated", "spending_alert.updated",
                      "spending_alert.deleted"]


def test_pages_and_other_accounts(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    made = [create(alice.api, name=f"a{i}", threshold=1000 * (i + 1))["id"] for i in range(3)]
    seen: list[str] = []
    token = None
    for _ in range(10):
        r = alice.api.get(ALERTS, params={"maxResults": 2, **({"nextToken": token} if token else {})})
        assert r.status_code == 200, r.text
        seen += [a["id"] for a in r.json()["alerts"]]
        token = r.json()["nextToken"]
        if token is None:
            break
    assert seen == made
    bob = tenant_factory()
    for call in (lambda: bob.api.get(f"{ALERTS}/{made[0]}"), lambda: bob.api.delete(f"{ALERTS}/{made[0]}"),
                 lambda: bob.api.patch(f"{ALERTS}/{made[0]}", json={"threshold": 5})):
        assert_error(call(), 404, "ResourceNotFoundException")
    assert bob.api.get(ALERTS).json()["alerts"] == []
    for odd in ("alert-", "alert-AAAA", "inst-aaaaaaaaaaaa", "x" * 300):
        assert_error(alice.api.get(f"{ALERTS}/{odd}"), 404, "ResourceNotFoundException")
    assert len(alice.api.get(ALERTS).json()["alerts"]) == 3


@pytest.mark.parametrize(("body", "field"), [
    ({"threshold": 10}, "name"),
    ({"name": "", "threshold": 10}, "name"),
    ({"name": "x" * 101, "threshold": 10}, "name"),
    ({"name": "a\u0000b", "threshold": 10}, "name"),
    ({"name": "ok"}, "threshold"),
    ({"name": "ok", "threshold": 0}, "threshold"),
    ({"name": "ok", "threshold": "10"}, "threshold"),
    ({"name": "ok", "threshold": 2**31}, "threshold"),
    ({"name": "ok", "threshold": 10, "notifyVia": "sms"}, "notifyVia"),
    ({"name": "ok", "threshold": 10, "email": "x"}, "email"),
])
def test_bad_alerts_name_the_field(server: Server, alice: Tenant, body: dict[str, Any], field: str) -> None:
    assert_error(alice.api.post(ALERTS, json=body), 400, "ValidationException", field=field)
    alert = create(alice.api, name="fine", threshold=10)
    if field in body:  # the same bad value in a PATCH
        r = alice.api.patch(f"{ALERTS}/{alert['id']}", json={field: body[field]})
        assert_error(r, 400, "ValidationException", field=field)
    assert alice.api.get(f"{ALERTS}/{alert['id']}").json()["threshold"] == 10


def test_graphql_alerts(server: Server, alice: Tenant) -> None:
    dry = gql_data(alice.api, CREATE, {"input": {"name": "g", "threshold": 300}, "dry": True})["createSpendingAlert"]
    assert dry["dryRun"] is True and dry["spendingAlert"]["notifyVia"] == "WEBHOOK"
    assert gql_data(alice.api, LIST)["spendingAlerts"]["items"] == []
    made = gql_data(alice.api, CREATE, {"input": {"name": "g", "threshold": 300, "notifyVia": "IN_APP"},
                                        "dry": False})["createSpendingAlert"]["spendingAlert"]
    assert made["id"].startswith("alert-") and made["notifyVia"] == "IN_APP" and made["accountId"] == alice.account_id
    assert gql_data(alice.api, GET, {"id": made["id"]})["spendingAlert"] == made
    rest = alice.api.get(f"{ALERTS}/{made['id']}").json()
    assert (rest["threshold"], rest["notify_via"], rest["created_at"][:19]) == (300, "in_app", made["createdAt"][:19])
    changed = gql_data(alice.api, UPDATE, {"id": made["id"], "input": {"threshold": 200}})["updateSpendingAlert"]
    assert changed["spendingAlert"]["threshold"] == 200
    err = gql_error(alice.api, UPDATE, {"id": made["id"], "input": {"threshold": 0}})
    assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["field"] == "threshold", err
    err = gql_error(alice.api, CREATE, {"input": {"name": "", "threshold": 5}, "dry": False})
    assert err["extensions"]["field"] == "name", err
    assert gql_data(alice.api, DELETE, {"id": made["id"]})["deleteSpendingAlert"]["spendingAlert"]["id"] == made["id"]
    err = gql_error(alice.api, GET, {"id": made["id"]})
    assert err["extensions"]["code"] == "ResourceNotFoundException", err


def test_balance_low_fires_once_per_crossing_and_depleted_at_zero(server: Server, alice: Tenant) -> None:
    buy(alice.api, amount=1000)
    hook = create(alice.api, name="hook", threshold=500, notifyVia="webhook")
    app = create(alice.api, name="app", threshold=300, notifyVia="in_app")
    assert hook["armed"] and app["armed"]

    def spend(n: int) -> None:
        meter(server, alice.account_id, [(n, n, 0, 1.0, "llama-3-8b")])

    spend(400)  # 600
    assert fired(server, "balance.low", hook["id"]) == []
    spend(200)  # 400: below 500
    spend(50)  # 350: no second firing
    assert fired(server, "balance.low", hook["id"]) == [
        {"alert_id": hook["id"], "name": "hook", "threshold": 500, "notify_via": "webhook", "balance": 400}]
    assert alice.api.get(f"{ALERTS}/{hook['id']}").json()["armed"] is False
    spend(100)  # 250: below 300
    assert [d["balance"] for d in fired(server, "balance.low", app["id"])] == [250]
    buy(alice.api, amount=300)  # 550: both re-armed
    assert alice.api.get(f"{ALERTS}/{hook['id']}").json()["armed"] is True
    spend(100)  # 450
    assert [d["balance"] for d in fired(server, "balance.low", hook["id"])] == [400, 450]
    spend(450)  # 0
    assert [d["balance"] for d in fired(server, "balance.low", app["id"])] == [250, 0]
    for alert in (hook, app):
        assert fired(server, "balance.depleted", alert["id"]) == [
            {"alert_id": alert["id"], "name": alert["name"], "threshold": alert["threshold"],
             "notify_via": alert["notify_via"], "balance": 0}]
    # The in_app alert left notifications, oldest first; the webhook alert none.
    notes = alice.api.get(NOTIFICATIONS).json()["notifications"]
    assert [(n["type"], n["alert_id"], n["data"]["balance"]) for n in notes] == [
        ("balance.low", app["id"], 250), ("balance.low", app["id"], 0), ("balance.depleted", app["id"], 0)]
    assert "below the threshold" in notes[0]["message"]
    page = gql_data(alice.api, NOTES, {"max": 2})["notifications"]
    assert [n["id"] for n in page["items"]] == [n["id"] for n in notes[:2]] and page["nextToken"]
    rest = gql_data(alice.api, NOTES, {"max": 2, "next": page["nextToken"]})["notifications"]
    assert [n["id"] for n in rest["items"]] == [notes[2]["id"]] and rest["nextToken"] is None
    assert rest["items"][0]["type"] == "balance.depleted" and rest["items"][0]["alertId"] == app["id"]


def test_notifications_are_per_account(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    bob = tenant_factory()
    assert bob.api.get(NOTIFICATIONS).json() == {"notifications": [], "nextToken": None}
    assert gql_data(bob.api, NOTES)["notifications"] == {"items": [], "nextToken": None}
    assert_error(bob.api.get(NOTIFICATIONS, params={"maxResults": 101}), 400, "ValidationException",
                 field="maxResults")


async def test_the_alert_owner_sees_balance_events_live(server: Server, alice: Tenant) -> None:
    """balance.low reaches the alert owner's GraphQL ``events`` subscription (from the outbox)."""
    import asyncio

    from tests.support.graphql import subscribe

    query = 'subscription { events(types: ["balance.*", "spending_alert.*"]) { type resourceId data } }'
    buy(alice.api, amount=1000)
    alert = create(alice.api, name="live", threshold=900)
    async with subscribe(server, alice.token, query) as stream:
        for attempt in range(5):  # the server registers the stream a moment after the client asks
            probe_id = create(alice.api, name=f"probe-{attempt}", threshold=1)["id"]

            def is_probe(ev: dict[str, Any], probe_id: str = probe_id) -> bool:
                return bool(ev["events"]["resourceId"] == probe_id)

            try:
                await stream.until(is_probe, within=5)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError("the subscription never went live")
        await asyncio.to_thread(meter, server, alice.account_id, [(200, 200, 0, 1.0, "llama-3-8b")])
        got = await stream.until(lambda ev: ev["events"]["type"] == "balance.low", within=15)
    assert got["events"]["resourceId"] == alert["id"]
    assert got["events"]["data"] == {"alert_id": alert["id"], "name": "live", "threshold": 900,
                                     "notify_via": "webhook", "balance": 800}
