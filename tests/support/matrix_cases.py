"""The rows' vocabulary for the authorization matrix (tests/server/test_authz_matrix.py): the actors,
``Case`` (one row), the outcome sets of docs/permissions.md, and small state and target helpers.

Rows of a resource family live in their own module (``tests/support/matrix_<family>.py``, a
``rows()`` generator) listed in ``tests/support/matrix_domains.py``; the test walks them all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables import Event
from tests.support.matrix import HIDDEN, LAST_OWNER, OK, Actor, Outcome, World, denied, invalid

Target = dict[str, Any]
HUMANS = ("creator", "owner", "admin", "member", "viewer", "outsider", "foreign")
KEYS = ("scoped_key", "readonly_key", "owner_key")
ACTORS = HUMANS + KEYS
ROLE_OF = {"owner": "owner", "admin": "admin", "member": "member", "viewer": "viewer", "creator": "member",
           "scoped_key": "owner", "readonly_key": "owner", "owner_key": "owner"}


@dataclass(frozen=True)
class Case:
    route: str  # "METHOD /path/{param}": the REST call is made on exactly this route
    mutation: str  # the GraphQL mutation field, which ``gql`` must call
    variant: str
    expect: Mapping[str, Outcome]  # per human actor; an actor missing here does not apply
    build: Callable[[World, Actor], Target]  # a fresh target for this actor
    state: Callable[[World, Target], Any]  # what the call may change
    after: Callable[[Any, Target], Any]  # the state expected after an allowed call, from the state before
    gql: str
    gvars: Callable[[Target], dict[str, Any]]
    body: Callable[[Target], dict[str, Any]] | None = None

    def outcome(self, actor: str) -> Outcome | None:
        if actor == "scoped_key":
            return denied("ScopeNotGranted")
        if actor == "readonly_key":
            return denied("PermissionNotGranted")
        return self.expect.get("owner" if actor == "owner_key" else actor)


# -- the matrix (docs/permissions.md) ---------------------------------------------------------------

def row(**outcomes: Outcome) -> dict[str, Outcome]:
    return outcomes


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(HUMANS, outcome)


# Team-shared instance: start / stop / requeue / delete it.
MANAGE_SHARED = row(creator=OK, owner=OK, admin=OK, member=denied(), viewer=denied(), outsider=HIDDEN,
                    foreign=HIDDEN)
# A private (unshared) instance: only its creator sees it, so only its creator acts on it.
PRIVATE = {**everyone(HIDDEN), "creator": OK}
# Share a new instance with the team (create with team_id).
SHARE = row(creator=OK, owner=OK, admin=OK, member=OK, viewer=denied(), outsider=denied(),
            foreign=invalid("team_id"))
# Add / re-role / remove members and viewers; the same for admins and owners.
MEMBERS = row(owner=OK, admin=OK, member=denied(), viewer=denied(), creator=denied(), outsider=denied(),
              foreign=HIDDEN)
ADMINS = {**MEMBERS, "admin": denied()}
# Leave the team (remove yourself): anyone in it; the last owner cannot.
LEAVE = row(owner=OK, admin=OK, member=OK, viewer=OK, creator=OK)
LAST = row(owner=LAST_OWNER)
# Personal resources (API keys, SSH keys, key groups): your own, yes; anyone else's, not found.
ANYONE = everyone(OK)
NOBODY = everyone(HIDDEN)



# -- states and targets -----------------------------------------------------------------------------

def event_count(s: AsyncSession, resource_id: str) -> Any:
    return s.scalar(select(func.count()).select_from(Event).where(Event.resource_id == resource_id))


def named(model: Any) -> Callable[[World, Target], int]:
    def count(w: World, t: Target) -> int:
        return int(w.db.scalar(select(func.count()).select_from(model).where(model.name == t["name"])))

    return count


def fresh_name(kind: str) -> Callable[[World, Actor], Target]:
    return lambda w, a: {"name": w.name(kind)}



# -- GraphQL documents ------------------------------------------------------------------------------

def by_id(mutation: str, selection: str = "id") -> str:
    return f"mutation Act($id: ID!) {{ {mutation}(id: $id) {{ {selection} }} }}"
