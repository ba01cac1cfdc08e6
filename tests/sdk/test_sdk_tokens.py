"""client.tokens, client.spending_alerts and client.notifications (Python SDK, sync and async)
against a live server, through the SDK only (calls are metered on the server's database, as the
/v1 gateway meters them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ic_gpu import ICGPU, AsyncICGPU, NotFoundError, ValidationError

from tests.server.test_tokens import meter
from tests.support.server import Server

pytestmark = pytest.mark.db_independent


@pytest.fixture
def owner(server: Server) -> dict[str, Any]:
    """A new tenant's owner: its API key and account id."""
    return server.bootstrap(f"sdk-tok-{uuid.uuid4().hex[:8]}", f"o-{uuid.uuid4().hex[:8]}@example.com")


@pytest.fixture
def sdk(server: Server, owner: dict[str, Any]) -> Iterator[ICGPU]:
    with ICGPU(api_key=owner["api_key"], base_url=server.url, timeout=30) as c:
        yield c


def test_tokens(server: Server, sdk: ICGPU, owner: dict[str, Any]) -> None:
    assert sdk.tokens.balance().balance == 0
    packages = sdk.tokens.packages()
    assert [p.id for p in packages][:2] == ["pkg-starter", "pkg-growth"] and packages[0].currency == "USD"
    dry = sdk.tokens.purchase(amount=100, dry_run=True)
    assert dry.dry_run and dry.purchase.balance == 100 and sdk.tokens.balance().balance == 0
    bought = sdk.tokens.purchase(amount=5000).purchase
    assert bought.id.startswith("tpur-") and (bought.kind, bought.amount, bought.balance) == ("purchase", 5000, 5000)
    starter = sdk.tokens.purchase(package_id="pkg-starter").purchase
    assert starter.amount == packages[0].tokens and starter.price == packages[0].price
    with pytest.raises(ValidationError) as info:
        sdk.tokens.purchase(amount=0)
    assert info.value.field == "amount"
    with pytest.raises(ValidationError) as info:
        sdk.tokens.purchase()
    assert info.value.field == "amount"

    assert meter(server, owner["account_id"], [(200, 100, 20, 1.0, "llama-3-8b"), (50, 5, 0, 2.0, "bge")]) == [120, 10]
    b = sdk.tokens.balance()
    assert (b.balance, b.reserved, b.available) == (5000 + starter.amount - 130, 0, 5000 + starter.amount - 130)
    rows = list(sdk.tokens.usage(max_results=1))
    assert [(u.model, u.charged) for u in rows] == [("llama-3-8b", 120), ("bge", 10)]
    assert [u.charged for u in sdk.tokens.usage(model="bge")] == [10]
    assert list(sdk.tokens.usage(since=datetime.now(UTC) + timedelta(hours=1))) == []
    assert len(list(sdk.tokens.usage(until=datetime.now(UTC) + timedelta(hours=1)))) == 2
    with pytest.raises(ValidationError) as info:
        list(sdk.tokens.usage(since="not a time"))
    assert info.value.field == "since"


def test_spending_alerts_and_notifications(server: Server, sdk: ICGPU, owner: dict[str, Any]) -> None:
    sdk.tokens.purchase(amount=1000)
    alerts = sdk.spending_alerts
    assert alerts.create(name="dry", threshold=10, dry_run=True).dry_run and list(alerts.list()) == []
    hook = alerts.create(name="hook", threshold=800).spending_alert
    app = alerts.create(name="app", threshold=500, notify_via="in_app").spending_alert
    assert hook.id.startswith("alert-") and hook.notify_via.value == "WEBHOOK" and app.notify_via.value == "IN_APP"
    assert [a.id for a in alerts.list(max_results=1)] == [hook.id, app.id]
    assert alerts.get(app.id).threshold == 500
    assert alerts.update(app.id, threshold=600).spending_alert.threshold == 600
    with pytest.raises(ValidationError) as info:
        alerts.update(app.id, threshold=0)
    assert info.value.field == "threshold"

    meter(server, owner["account_id"], [(500, 500, 0, 1.0, "llama-3-8b")])  # 500: below both
    assert alerts.get(hook.id).armed is False and alerts.get(hook.id).last_fired_at is not None
    notes = list(sdk.notifications.list())
    assert [(n.type_, n.alert_id) for n in notes] == [("balance.low", app.id)]
    assert notes[0].data["threshold"] == 600 and notes[0].data["balance"] == 500

    assert alerts.delete(hook.id).spending_alert.id == hook.id
    with pytest.raises(NotFoundError):
        alerts.get(hook.id)


async def test_async_namespaces(server: Server, owner: dict[str, Any]) -> None:
    async with AsyncICGPU(api_key=owner["api_key"], base_url=server.url, timeout=30) as client:
        bought = (await client.tokens.purchase(amount=300)).purchase
        assert bought.balance == 300 and (await client.tokens.balance()).available == 300
        assert len(await client.tokens.packages()) == 4
        assert [u async for u in client.tokens.usage()] == []
        alert = (await client.spending_alerts.create(name="a", threshold=100, notify_via="IN_APP")).spending_alert
        assert [a.id async for a in client.spending_alerts.list()] == [alert.id]
        assert (await client.spending_alerts.get(alert.id)).name == "a"
        assert (await client.spending_alerts.update(alert.id, name="b")).spending_alert.name == "b"
        assert [n async for n in client.notifications.list()] == []
        assert (await client.spending_alerts.delete(alert.id)).spending_alert.id == alert.id
