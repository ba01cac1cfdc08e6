"""Authorization-matrix rows for Slurm environments (create private or team-shared; delete a
team-shared or private one), walked by tests/server/test_authz_matrix.py over REST and GraphQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables_slurm import SlurmEnvironment
from tests.support.matrix import Actor, World
from tests.support.matrix_cases import ANYONE, MANAGE_SHARED, PRIVATE, SHARE, Case, Target, by_id, event_count

SLURM = "/api/v1/slurm-environments"
CREATE = ("mutation Create($input: CreateSlurmEnvironmentInput!) "
          "{ createSlurmEnvironment(input: $input) { slurmEnvironment { id teamId } } }")


def new_spec(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        return {"name": w.name("slurm"), "team_id": w.team_id if shared else None}

    return build


def existing(shared: bool) -> Callable[[World, Actor], Target]:
    """A ready one-GPU environment made by the creator (a plain member of the team)."""

    def build(w: World, a: Actor) -> Target:
        body: dict[str, Any] = {"name": w.name("slurm"), "max_nodes": 1, "gpu_per_node": 1,
                                "gpu_tier": "timesliced"}
        if shared:
            body["team_id"] = w.team_id
        r = w.people["creator"].api.post(SLURM, json=body)
        assert r.status_code == 201, r.text
        env_id = str(r.json()["id"])
        assert w.db.execute(update(SlurmEnvironment).where(SlurmEnvironment.id == env_id)
                            .values(status="ready")) == 1
        return {"environment_id": env_id}

    return build


def created(w: World, t: Target) -> tuple[str | None, ...]:
    """The team of each environment named ``t["name"]`` (names are unique in the matrix)."""
    return tuple(w.db.scalars(select(SlurmEnvironment.team_id).where(SlurmEnvironment.name == t["name"])))


def state(w: World, t: Target) -> tuple[str, int]:
    async def look(s: AsyncSession) -> tuple[str, int]:
        status = await s.scalar(select(SlurmEnvironment.status).where(SlurmEnvironment.id == t["environment_id"]))
        return str(status), int(await event_count(s, t["environment_id"]))

    return w.db.run(look)


def body(t: Target) -> dict[str, Any]:
    return {"name": t["name"], "max_nodes": 1, "gpu_per_node": 1, "gpu_tier": "timesliced", "team_id": t["team_id"]}


def variables(t: Target) -> dict[str, Any]:
    return {"input": {"name": t["name"], "maxNodes": 1, "gpuPerNode": 1, "gpuTier": "timesliced",
                      "teamId": t["team_id"]}}


def rows() -> Iterator[Case]:
    for variant, expect, shared in (("private", ANYONE, False), ("shared-with-team", SHARE, True)):
        yield Case(f"POST {SLURM}", "createSlurmEnvironment", variant, expect, new_spec(shared), created,
                   lambda before, t: (t["team_id"],), CREATE, variables, body)
    for variant, expect, shared in (("team-shared", MANAGE_SHARED, True), ("private", PRIVATE, False)):
        yield Case(f"DELETE {SLURM}/{{environment_id}}", "deleteSlurmEnvironment", variant, expect, existing(shared),
                   state, lambda before, t: ("terminated", before[1] + 1),
                   by_id("deleteSlurmEnvironment", "slurmEnvironment { id status }"),
                   lambda t: {"id": t["environment_id"]})
