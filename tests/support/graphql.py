"""GraphQL helpers for tests: POST /graphql, live subscriptions over graphql-transport-ws, REST
waits, and read-only looks at the server's own database."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.support.server import Server, wait_for

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILtGK3OPT3yb55+33+VIorEs5hTYuNnb4X3/Waa9Si6w alice@laptop"
INSTANCES = "/api/v1/instances"

EVENTS_SUB = """
subscription Events($types: [String!]) {
  events(types: $types) { id type resourceType resourceId data createdAt }
}
"""


# -- HTTP ---------------------------------------------------------------------------------------

def gql_post(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST one operation; GraphQL answers 200 with ``data`` and/or ``errors``."""
    r = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json"), r.headers
    assert r.headers.get("x-request-id"), r.headers
    body: dict[str, Any] = r.json()
    assert "Traceback" not in r.text, r.text
    return body


def gql_data(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``data`` of an operation that must succeed."""
    body = gql_post(client, query, variables)
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


def gql_error(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The single error of an operation that must fail; its extensions carry the API error type."""
    body = gql_post(client, query, variables)
    errors = body.get("errors") or []
    assert len(errors) == 1, body
    err: dict[str, Any] = errors[0]
    assert isinstance(err["message"], str) and err["message"].strip(), err
    assert isinstance(err.get("extensions", {}).get("code"), str), err
    return err


def gql_refused(client: httpx.Client, query: str, variables: dict[str, Any] | None = None, *,
                status: int) -> dict[str, Any]:
    """The single error of a request refused before execution (e.g. a bad credential): the HTTP status,
    the shared ``error`` body and the same error as a GraphQL ``errors`` entry, and no ``data``."""
    r = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json"), r.headers
    assert "Traceback" not in r.text, r.text
    body: dict[str, Any] = r.json()
    assert body.get("data") is None, body
    errors = body.get("errors") or []
    assert len(errors) == 1, body
    err: dict[str, Any] = errors[0]
    assert err["extensions"]["code"] == body["error"]["type"] and err["extensions"]["status"] == status, body
    assert body["error"]["request_id"] == r.headers.get("x-request-id"), (body, r.headers)
    assert isinstance(err["message"], str) and err["message"].strip(), err
    return err


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


# -- REST ---------------------------------------------------------------------------------------

def rest_get(api: httpx.Client, inst_id: str) -> dict[str, Any]:
    r = api.get(f"{INSTANCES}/{inst_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def rest_create(api: httpx.Client, name: str, tier: str, **fields: Any) -> dict[str, Any]:
    r = api.post(INSTANCES, json={"name": name, "tier": tier, "ssh_key": SSH, **fields})
    assert r.status_code == 201, r.text
    inst: dict[str, Any] = r.json()
    assert inst["status"] == "pending", inst
    return inst


def wait_status(api: httpx.Client, inst_id: str, status: str, timeout: float = 20.0) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        inst = rest_get(api, inst_id)
        return inst if inst["status"] == status else None

    return dict(wait_for(reached, timeout=timeout, interval=0.05, what=f"{inst_id} to be {status}"))


def tiers(client: httpx.Client) -> dict[str, dict[str, Any]]:
    r = client.get("/api/v1/gpu-tiers")
    assert r.status_code == 200, r.text
    return {t["id"]: t for t in r.json()["tiers"]}


# -- subscriptions ------------------------------------------------------------------------------

class Stream:
    """Results of one live subscription, read with a deadline."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()
        self.seen: list[dict[str, Any]] = []

    async def next(self, within: float = 10.0) -> dict[str, Any]:
        item = await asyncio.wait_for(self.queue.get(), within)
        if isinstance(item, BaseException):
            raise item
        self.seen.append(item)
        return item

    async def until(self, pred: Callable[[dict[str, Any]], bool], within: float = 15.0,
                    limit: int = 500) -> dict[str, Any]:
        """Read results until one satisfies ``pred`` (bounded in time and count)."""
        deadline = time.monotonic() + within
        for _ in range(limit):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = await self.next(remaining)
            except TimeoutError:
                break
            if pred(item):
                return item
        raise AssertionError(f"no matching subscription result within {within}s; seen: {self.seen!r}")


@contextlib.asynccontextmanager
async def subscribe(server: Server, credential: str, query: str,
                    variables: dict[str, Any] | None = None) -> AsyncIterator[Stream]:
    """Open a graphql-transport-ws connection and run one subscription in the background."""
    transport = WebsocketsTransport(url=server.ws_url, init_payload={"Authorization": f"Bearer {credential}"},
                                    subprotocols=[GRAPHQL_TRANSPORT_WS])
    stream = Stream()
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:

        async def pump() -> None:
            try:
                async for result in session.subscribe(gql(query), variable_values=variables):
                    stream.queue.put_nowait(result)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                stream.queue.put_nowait(exc)

        task = asyncio.create_task(pump())
        try:
            yield stream
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def arm(stream: Stream, api: httpx.AsyncClient, *, stop: bool = False, attempts: int = 5) -> None:
    """Make sure an events subscription is live before the test acts (the server registers it a
    moment after the client asks): make throwaway instances until an event of one arrives. With
    ``stop``, each is stopped too, for streams filtered to ``instance.stopped``."""
    for attempt in range(attempts):
        r = await api.post(INSTANCES, json={"name": f"probe-{attempt}-{time.monotonic_ns()}", "tier": "mig"})
        assert r.status_code == 201, r.text
        probe = str(r.json()["id"])
        if stop:
            assert (await api.post(f"{INSTANCES}/{probe}/stop")).status_code == 200

        def is_probe(ev: dict[str, Any], probe: str = probe) -> bool:
            return bool(ev["events"]["resourceId"] == probe)

        try:
            await stream.until(is_probe, within=5)
            return
        except AssertionError:
            continue
        finally:
            assert (await api.delete(f"{INSTANCES}/{probe}")).status_code == 200
    raise AssertionError("the subscription never went live")


# -- the server's database (read only) ----------------------------------------------------------

def db_scalars(server: Server, stmt: Any) -> list[Any]:
    """Run one SELECT against the server's own database (SQLite file or PostgreSQL)."""

    async def run() -> list[Any]:
        engine = create_async_engine(server.db_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(stmt)).scalars().all())
        finally:
            await engine.dispose()

    # A thread of its own so pytest-asyncio's event loop is never touched.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)


def event_types(server: Server, resource_id: str) -> list[str]:
    """The types of the outbox event rows for one resource, in order."""
    from icgpu.db.tables import Event

    stmt = select(Event.type).where(Event.resource_id == resource_id).order_by(Event.seq)
    return [str(t) for t in db_scalars(server, stmt)]
