"""The events stream follows team membership: events of a team-shared instance reach the team's
members, also one who joined after the stream opened, and never an outsider."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from icgpu.api.graphql.events import TEAM_REFRESH_SECONDS
from tests.support.graphql import arm, subscribe
from tests.support.identity import add_member, new_team, sign_in
from tests.support.server import Server

EVENTS = 'subscription { events(types: ["instance.*"]) { type resourceId } }'


def token_of(api: httpx.Client) -> str:
    return str(api.headers["Authorization"].split(" ", 1)[1])


async def test_team_events_reach_members_who_join_later(server: Server) -> None:
    tenant = f"tev-{uuid.uuid4().hex[:6]}"
    owner, joiner, outsider = (sign_in(server, tenant, f"{who}@example.com") for who in ("own", "join", "out"))
    team = new_team(owner.api, f"team-{uuid.uuid4().hex[:6]}")
    async with subscribe(server, token_of(joiner.api), EVENTS) as joined, \
            subscribe(server, token_of(outsider.api), EVENTS) as outside, \
            httpx.AsyncClient(base_url=server.url, headers=joiner.api.headers) as joiner_async, \
            httpx.AsyncClient(base_url=server.url, headers=outsider.api.headers) as outsider_async:
        await arm(joined, joiner_async)
        await arm(outside, outsider_async)
        assert add_member(owner.api, team["id"], joiner.id, "viewer").status_code == 201
        await asyncio.sleep(TEAM_REFRESH_SECONDS + 1)  # the open stream re-reads memberships
        r = owner.api.post("/api/v1/instances", json={"name": "shared", "tier": "mig", "team_id": team["id"]})
        assert r.status_code == 201, r.text
        inst_id = r.json()["id"]
        got = await joined.until(lambda ev: ev["events"]["resourceId"] == inst_id, within=15)
        assert got["events"]["type"] == "instance.created"
        # The outsider's stream is live (armed above) but carries nothing of the shared instance.
        await asyncio.sleep(2)
        while not outside.queue.empty():
            item = await outside.next(1)
            assert item["events"]["resourceId"] != inst_id, item
