"""Authorization-matrix rows for virtual Kubernetes clusters (create private or team-shared;
delete a team-shared or private one), walked by tests/server/test_authz_matrix.py over REST and
GraphQL. A refused delete must leave the cluster's credential in place, an allowed one revokes it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables_clusters import Cluster
from tests.support.matrix import Actor, World
from tests.support.matrix_cases import ANYONE, MANAGE_SHARED, PRIVATE, SHARE, Case, Target, by_id, event_count

CLUSTERS = "/api/v1/clusters"
CREATE = ("mutation Create($input: CreateClusterInput!) "
          "{ createCluster(input: $input) { cluster { id teamId } } }")


def new_spec(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        return {"name": w.name("cls"), "team_id": w.team_id if shared else None}

    return build


def existing(shared: bool) -> Callable[[World, Actor], Target]:
    """A running cluster made by the creator (a plain member of the team)."""

    def build(w: World, a: Actor) -> Target:
        body: dict[str, Any] = {"name": w.name("cls"), "version": "1.31"}
        if shared:
            body["team_id"] = w.team_id
        r = w.people["creator"].api.post(CLUSTERS, json=body)
        assert r.status_code == 201, r.text
        cluster_id = str(r.json()["id"])
        assert w.db.execute(update(Cluster).where(Cluster.id == cluster_id).values(
            status="running", server_url=f"https://{cluster_id}.clusters.matrix:6443")) == 1
        return {"cluster_id": cluster_id}

    return build


def created(w: World, t: Target) -> tuple[str | None, ...]:
    """The team of each cluster named ``t["name"]`` (names are unique in the matrix)."""
    return tuple(w.db.scalars(select(Cluster.team_id).where(Cluster.name == t["name"])))


def state(w: World, t: Target) -> tuple[str, int, bool]:
    """Status, events, and whether the credential is still valid."""
    async def look(s: AsyncSession) -> tuple[str, int, bool]:
        row = (await s.execute(select(Cluster.status, Cluster.token_hash)
                               .where(Cluster.id == t["cluster_id"]))).one()
        return str(row.status), int(await event_count(s, t["cluster_id"])), row.token_hash is not None

    return w.db.run(look)


def body(t: Target) -> dict[str, Any]:
    return {"name": t["name"], "version": "1.30", "team_id": t["team_id"]}


def variables(t: Target) -> dict[str, Any]:
    return {"input": {"name": t["name"], "version": "1.30", "teamId": t["team_id"]}}


def rows() -> Iterator[Case]:
    for variant, expect, shared in (("private", ANYONE, False), ("shared-with-team", SHARE, True)):
        yield Case(f"POST {CLUSTERS}", "createCluster", variant, expect, new_spec(shared), created,
                   lambda before, t: (t["team_id"],), CREATE, variables, body)
    for variant, expect, shared in (("team-shared", MANAGE_SHARED, True), ("private", PRIVATE, False)):
        yield Case(f"DELETE {CLUSTERS}/{{cluster_id}}", "deleteCluster", variant, expect, existing(shared),
                   state, lambda before, t: ("deleting", before[1] + 1, False),
                   by_id("deleteCluster", "cluster { id status }"), lambda t: {"id": t["cluster_id"]})
