"""The documented instance flow over HTTP, watched over a graphql-transport-ws subscription."""

from __future__ import annotations

import asyncio

import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests.support.server import Server, wait_for

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILtGK3OPT3yb55+33+VIorEs5hTYuNnb4X3/Waa9Si6w alice@laptop"

STATUS_SUB = gql("""
subscription Watch($id: ID!) {
  instanceStatus(id: $id) { instanceId status previousStatus }
}
""")


def status_of(api, inst_id: str) -> str:  # type: ignore[no-untyped-def]
    r = api.get(f"/api/v1/instances/{inst_id}")
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


async def watch(server: Server, token: str, inst_id: str, until: str, seen: list[str],
                ready: asyncio.Event) -> None:
    transport = WebsocketsTransport(url=server.ws_url, init_payload={"Authorization": f"Bearer {token}"},
                                    subprotocols=[GRAPHQL_TRANSPORT_WS])
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        async for result in session.subscribe(STATUS_SUB, variable_values={"id": inst_id}):
            seen.append(result["instanceStatus"]["status"].lower())
            ready.set()
            if seen[-1] == until:
                return


async def test_documented_flow_with_live_status(server: Server) -> None:
    boot = server.bootstrap("flow-co", "alice@example.com")
    assert boot["tenant"] == "flow-co"
    assert boot["account_id"].startswith("acc-")
    assert boot["api_key"].startswith("sk-ic-")
    token = boot["oidc_token"]

    with server.client(token) as api:
        # Public tier list, no credentials.
        tiers = server.client().get("/api/v1/gpu-tiers").json()["tiers"]
        by_id = {t["id"]: t for t in tiers}
        assert set(by_id) == {"dedicated", "mig", "timesliced"}
        assert by_id["dedicated"]["batch_price_per_hour"] == pytest.approx(by_id["dedicated"]["price_per_hour"] / 2)

        created = api.post("/api/v1/instances", json={
            "name": "my-training-job", "tier": "dedicated", "ssh_key": SSH, "storage_gb": 100})
        assert created.status_code == 201, created.text
        inst = created.json()
        assert inst["id"].startswith("inst-")
        assert inst["storage_gb"] == 100 and inst["workload_type"] == "interactive"
        assert created.headers["x-request-id"]

        seen: list[str] = []
        ready = asyncio.Event()
        watcher = asyncio.create_task(watch(server, token, inst["id"], "terminated", seen, ready))
        await asyncio.wait_for(ready.wait(), 30)

        await asyncio.to_thread(wait_for, lambda: status_of(api, inst["id"]) == "running", what="running", timeout=30)
        running = api.get(f"/api/v1/instances/{inst['id']}").json()
        assert running["ssh_host"] and running["ssh_port"]

        # A few more so the list paginates.
        for i in range(4):
            r = api.post("/api/v1/instances", json={"name": f"extra-{i}", "tier": "timesliced",
                                                   "workload_type": "batch"})
            assert r.status_code == 201, r.text
        ids: list[str] = []
        token_ = None
        pages = 0
        while True:
            params = {"maxResults": 2, **({"nextToken": token_} if token_ else {})}
            page = api.get("/api/v1/instances", params=params).json()
            pages += 1
            assert len(page["instances"]) <= 2
            ids += [i["id"] for i in page["instances"]]
            token_ = page["nextToken"]
            if not token_:
                break
            assert pages < 10
        assert pages == 3 and len(ids) == 5 and len(set(ids)) == 5 and ids[0] == inst["id"]

        r = api.post(f"/api/v1/instances/{inst['id']}/stop")
        assert r.status_code == 200 and r.json()["status"] == "stopping"
        await asyncio.to_thread(wait_for, lambda: status_of(api, inst["id"]) == "stopped", what="stopped", timeout=30)
        r = api.post(f"/api/v1/instances/{inst['id']}/start")
        assert r.status_code == 200 and r.json()["status"] == "pending"
        await asyncio.to_thread(wait_for, lambda: status_of(api, inst["id"]) == "running", what="running again",
                                timeout=30)
        r = api.delete(f"/api/v1/instances/{inst['id']}")
        assert r.status_code == 200 and r.json()["status"] == "terminated"

        await asyncio.wait_for(watcher, 30)
        # The stream opens with the status current when it subscribed (the reconciler may already
        # have moved the new instance on), then every change, in order, none missed or repeated.
        full = ["pending", "provisioning", "running", "stopping", "stopped", "pending", "provisioning", "running",
                "terminated"]
        assert seen[0] in ("pending", "provisioning", "running"), seen
        assert seen == full[full.index(seen[0]):], seen
        assert inst["id"] not in [i["id"] for i in api.get("/api/v1/instances").json()["instances"]]


async def test_subscription_to_another_tenants_instance_is_not_found(server: Server) -> None:
    owner = server.bootstrap("sub-owner", "o@example.com")
    other = server.bootstrap("sub-other", "x@example.com")
    with server.client(owner["api_key"]) as api:
        inst = api.post("/api/v1/instances", json={"name": "private", "tier": "mig"}).json()
    transport = WebsocketsTransport(url=server.ws_url,
                                    init_payload={"Authorization": f"Bearer {other['oidc_token']}"},
                                    subprotocols=[GRAPHQL_TRANSPORT_WS])
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        with pytest.raises(Exception) as info:
            async for _ in session.subscribe(STATUS_SUB, variable_values={"id": inst["id"]}):
                pytest.fail("another tenant received a status update")
    assert "not found" in str(info.value)


async def refused_subscription(server: Server, init_payload: dict[str, str]) -> list[str]:
    """Open a subscription with ``init_payload``; it must fail. Returns the exception chain as text
    (the close frame, with its code and reason, is in it)."""
    transport = WebsocketsTransport(url=server.ws_url, init_payload=init_payload,
                                    subprotocols=[GRAPHQL_TRANSPORT_WS])
    with pytest.raises(Exception) as info:
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            async for _ in session.subscribe(STATUS_SUB, variable_values={"id": "inst-x"}):
                pass
    chain: list[str] = []
    exc: BaseException | None = info.value
    while exc is not None and len(chain) < 10:
        chain.append(f"{exc!r} {getattr(exc, 'rcvd', '')}")
        exc = exc.__cause__ or exc.__context__
    return chain


async def test_subscription_without_credentials_is_rejected(server: Server) -> None:
    chain = await refused_subscription(server, {})
    assert any("4401" in c and "MissingCredentials" in c for c in chain), chain


async def test_subscription_with_a_bad_credential_is_rejected(server: Server) -> None:
    chain = await refused_subscription(server, {"Authorization": "Bearer not-a-token"})
    assert any("4403" in c and "InvalidToken" in c for c in chain), chain
