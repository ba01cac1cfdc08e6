"""Authorization-matrix rows for GPU functions and their runs, walked by
tests/server/test_authz_matrix.py over REST and GraphQL: create (private, shared with the team),
update and delete (team-shared, private), run (team-shared: any member but a viewer; private), and
cancel a run the creator started (team-shared: the function's managers; private)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables_functions import FunctionRun, GpuFunction
from tests.support.matrix import HIDDEN, OK, Actor, World, denied
from tests.support.matrix_cases import ANYONE, MANAGE_SHARED, PRIVATE, SHARE, Case, Target, by_id, event_count, row

FUNCTIONS = "/api/v1/functions"
# Run a team-shared function: its creator and every team member but a viewer.
RUN_SHARED = row(creator=OK, owner=OK, admin=OK, member=OK, viewer=denied(), outsider=HIDDEN, foreign=HIDDEN)
CREATE = ("mutation Create($input: CreateFunctionInput!) "
          "{ createFunction(input: $input) { function { id teamId } } }")
UPDATE = ("mutation Update($id: ID!, $image: String!) "
          "{ updateFunction(id: $id, input: {image: $image}) { function { id image } } }")
RUN = "mutation Run($id: ID!) { runFunction(id: $id, input: {k: 1}) { run { id status } } }"


def new_spec(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        return {"name": w.name("fn"), "team_id": w.team_id if shared else None}

    return build


def existing(shared: bool, *, with_run: bool = False) -> Callable[[World, Actor], Target]:
    """A function made by the creator (a plain member of the team); with a queued run the creator
    started (the matrix server runs no workers: it stays queued)."""

    def build(w: World, a: Actor) -> Target:
        creator = w.people["creator"]
        body: dict[str, Any] = {"name": w.name("fn"), "image": "registry.example.com/a/b:1", "entrypoint": "true"}
        if shared:
            body["teamId"] = w.team_id
        r = creator.api.post(FUNCTIONS, json=body)
        assert r.status_code == 201, r.text
        target: Target = {"function_id": str(r.json()["id"]), "image": f"registry.example.com/a/{w.name('img')}:2"}
        if with_run:
            r = creator.api.post(f"{FUNCTIONS}/{target['function_id']}/run", json={"input": {}})
            assert r.status_code == 202, r.text
            target["run_id"] = str(r.json()["id"])
        return target

    return build


def created(w: World, t: Target) -> tuple[str | None, ...]:
    return tuple(w.db.scalars(select(GpuFunction.team_id).where(GpuFunction.name == t["name"])))


def function_state(w: World, t: Target) -> tuple[str, str, int]:
    async def look(s: AsyncSession) -> tuple[str, str, int]:
        fn = (await s.execute(select(GpuFunction.status, GpuFunction.image)
                              .where(GpuFunction.id == t["function_id"]))).one()
        return str(fn[0]), str(fn[1]), int(await event_count(s, t["function_id"]))

    return w.db.run(look)


def runs_of(w: World, t: Target) -> int:
    return len(w.db.scalars(select(FunctionRun.id).where(FunctionRun.function_id == t["function_id"])))


def run_state(w: World, t: Target) -> tuple[str, int]:
    async def look(s: AsyncSession) -> tuple[str, int]:
        status = await s.scalar(select(FunctionRun.status).where(FunctionRun.id == t["run_id"]))
        return str(status), int(await event_count(s, t["run_id"]))

    return w.db.run(look)


def create_body(t: Target) -> dict[str, Any]:
    return {"name": t["name"], "image": "registry.example.com/a/b:1", "entrypoint": "true", "teamId": t["team_id"]}


def create_vars(t: Target) -> dict[str, Any]:
    return {"input": {"name": t["name"], "image": "registry.example.com/a/b:1", "entrypoint": "true",
                      "teamId": t["team_id"]}}


def rows() -> Iterator[Case]:
    for variant, expect, spec in (("private", ANYONE, new_spec(False)), ("shared-with-team", SHARE, new_spec(True))):
        yield Case(f"POST {FUNCTIONS}", "createFunction", variant, expect, spec, created,
                   lambda before, t: (t["team_id"],), CREATE, create_vars, create_body)
    for variant, shared, manage, run in (("team-shared", True, MANAGE_SHARED, RUN_SHARED),
                                         ("private", False, PRIVATE, PRIVATE)):
        yield Case(f"PATCH {FUNCTIONS}/{{function_id}}", "updateFunction", variant, manage, existing(shared),
                   function_state, lambda before, t: (before[0], t["image"], before[2] + 1), UPDATE,
                   lambda t: {"id": t["function_id"], "image": t["image"]}, lambda t: {"image": t["image"]})
        yield Case(f"DELETE {FUNCTIONS}/{{function_id}}", "deleteFunction", variant, manage, existing(shared),
                   function_state, lambda before, t: ("deleted", before[1], before[2] + 1),
                   by_id("deleteFunction", "function { id status }"), lambda t: {"id": t["function_id"]})
        yield Case(f"POST {FUNCTIONS}/{{function_id}}/run", "runFunction", variant, run, existing(shared),
                   runs_of, lambda before, t: before + 1, RUN, lambda t: {"id": t["function_id"]},
                   lambda t: {"input": {"k": 1}})
        yield Case(f"POST {FUNCTIONS}/{{function_id}}/runs/{{run_id}}/cancel", "cancelFunctionRun", variant, manage,
                   existing(shared, with_run=True), run_state, lambda before, t: ("cancelled", before[1] + 1),
                   by_id("cancelFunctionRun", "run { id status }"), lambda t: {"id": t["run_id"]})
