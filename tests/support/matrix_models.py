"""Authorization-matrix rows for model deployments, walked by tests/server/test_authz_matrix.py over
REST and GraphQL: deploy (private, shared with the team), and scale, stop and delete by name
(team-shared: the creator and the team's admins and owners; private: the creator only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables_models import ModelDeployment
from tests.support.matrix import Actor, Outcome, World, denied
from tests.support.matrix_cases import ANYONE, MANAGE_SHARED, PRIVATE, SHARE, Case, Target, event_count

MODELS = "/api/v1/models"
DEPLOY = ("mutation Deploy($input: DeployModelInput!) "
          "{ deployModel(input: $input) { modelDeployment { id teamId } } }")
SCALE = ("mutation Scale($name: String!, $max: Int!) "
         "{ scaleModel(name: $name, input: {maxReplicas: $max}) { modelDeployment { id maxReplicas } } }")


class ModelCase(Case):
    """The matrix's ``scoped_key`` holds exactly the ``models`` scope, read only: on these writes it
    lacks the write permission (not the scope)."""

    def outcome(self, actor: str) -> Outcome | None:
        if actor == "scoped_key":
            return denied("PermissionNotGranted")
        return super().outcome(actor)


def by_name(mutation: str, selection: str) -> str:
    return f"mutation Act($name: String!) {{ {mutation}(name: $name) {{ modelDeployment {{ {selection} }} }} }}"


def new_spec(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        return {"name": w.name("mdl"), "team_id": w.team_id if shared else None}

    return build


def existing(shared: bool) -> Callable[[World, Actor], Target]:
    """A deployment made by the creator (a plain member of the team), at zero replicas."""

    def build(w: World, a: Actor) -> Target:
        body: dict[str, Any] = {"name": w.name("mdl"), "model": "org/matrix-model", "maxReplicas": 2}
        if shared:
            body["teamId"] = w.team_id
        r = w.people["creator"].api.post(MODELS, json=body)
        assert r.status_code == 201, r.text
        return {"name": body["name"], "id": str(r.json()["id"]), "max": 3}

    return build


def created(w: World, t: Target) -> tuple[str | None, ...]:
    return tuple(w.db.scalars(select(ModelDeployment.team_id).where(ModelDeployment.name == t["name"])))


def deployment_state(w: World, t: Target) -> tuple[str, int, bool, int]:
    async def look(s: AsyncSession) -> tuple[str, int, bool, int]:
        d = (await s.execute(select(ModelDeployment.status, ModelDeployment.max_replicas, ModelDeployment.stopped)
                             .where(ModelDeployment.id == t["id"]))).one()
        return str(d[0]), int(d[1]), bool(d[2]), int(await event_count(s, t["id"]))

    return w.db.run(look)


def deploy_body(t: Target) -> dict[str, Any]:
    return {"name": t["name"], "model": "org/matrix-model", "teamId": t["team_id"]}


def deploy_vars(t: Target) -> dict[str, Any]:
    return {"input": deploy_body(t)}


def rows() -> Iterator[Case]:
    for variant, expect, spec in (("private", ANYONE, new_spec(False)), ("shared-with-team", SHARE, new_spec(True))):
        yield ModelCase(f"POST {MODELS}", "deployModel", variant, expect, spec, created,
                   lambda before, t: (t["team_id"],), DEPLOY, deploy_vars, deploy_body)
    for variant, shared, manage in (("team-shared", True, MANAGE_SHARED), ("private", False, PRIVATE)):
        yield ModelCase(f"PUT {MODELS}/{{name}}/scaling", "scaleModel", variant, manage, existing(shared),
                   deployment_state, lambda before, t: (before[0], t["max"], before[2], before[3] + 1), SCALE,
                   lambda t: {"name": t["name"], "max": t["max"]}, lambda t: {"maxReplicas": t["max"]})
        yield ModelCase(f"POST {MODELS}/{{name}}/stop", "stopModel", variant, manage, existing(shared),
                   deployment_state, lambda before, t: ("stopped", before[1], True, before[3] + 1),
                   by_name("stopModel", "id status"), lambda t: {"name": t["name"]})
        yield ModelCase(f"DELETE {MODELS}/{{name}}", "deleteModel", variant, manage, existing(shared),
                   deployment_state, lambda before, t: ("deleted", before[1], before[2], before[3] + 1),
                   by_name("deleteModel", "id status"), lambda t: {"name": t["name"]})
