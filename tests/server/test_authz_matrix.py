"""The authorization matrix of docs/permissions.md, walked over the whole write surface.

Every REST write route and every GraphQL mutation (read from the app, not listed by hand) has rows
in ``CASES``; each row is run, over REST and over GraphQL, as each actor of ``build_world``: the
team's owner, admin, member and viewer, the member who created a team-shared resource
(``creator``), an account of the tenant in no team (``outsider``), an account of another tenant
(``foreign``), and three API keys of the owner (``scoped_key``: scope ``models`` only;
``readonly_key``: every scope, read only; ``owner_key``: every scope, read and write).

For each (row, actor): a fresh target is built, the call is made, its status (REST) or
``extensions.code`` (GraphQL) is checked against the matrix, and the target's stored state must be
exactly the expected result when allowed, and unchanged (no write, no event) when refused.

The credential check comes before the resource check, so the two limited keys are refused (403)
on every row whatever the resource; ``owner_key`` acts with the owner's rights.

The server runs without its background workers: instance states are set directly in the database
and must not move on their own between the before and after looks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    parse,
    print_ast,
)
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables import ApiKey, Instance, SshKey, SshKeyGroup, SshKeyGroupMember, Team, TeamMember
from tests.support.graphql import gql_post
from tests.support.matrix import (
    Actor,
    World,
    build_world,
    check_graphql,
    check_rest,
    invalid,
    mutations,
    public_key,
    write_routes,
)
from tests.support.matrix_cases import (
    ACTORS,
    ADMINS,
    ANYONE,
    HUMANS,
    LAST,
    LEAVE,
    MANAGE_SHARED,
    MEMBERS,
    NOBODY,
    PRIVATE,
    ROLE_OF,
    SHARE,
    Case,
    Target,
    by_id,
    event_count,
    everyone,
    fresh_name,
    named,
)
from tests.support.matrix_domains import DOMAIN_ROWS
from tests.support.server import Server

# -- states -----------------------------------------------------------------------------------------

def instance_state(w: World, t: Target) -> tuple[str, int]:
    async def look(s: AsyncSession) -> tuple[str, int]:
        status = await s.scalar(select(Instance.status).where(Instance.id == t["instance_id"]))
        return str(status), int(await event_count(s, t["instance_id"]))

    return w.db.run(look)


def created_instances(w: World, t: Target) -> tuple[str | None, ...]:
    """The team of each instance named ``t["name"]`` (names are unique in this module)."""
    return tuple(w.db.scalars(select(Instance.team_id).where(Instance.name == t["name"])))


def membership(w: World, t: Target) -> str | None:
    role = w.db.scalar(select(TeamMember.role).where(TeamMember.team_id == t["team_id"],
                                                     TeamMember.account_id == t["account_id"]))
    return None if role is None else str(role)


def api_key_state(w: World, t: Target) -> tuple[bool, int]:
    async def look(s: AsyncSession) -> tuple[bool, int]:
        revoked = await s.scalar(select(ApiKey.revoked_at).where(ApiKey.id == t["key_id"]))
        return revoked is not None, int(await event_count(s, t["key_id"]))

    return w.db.run(look)


def instance_name(w: World, t: Target) -> tuple[str, int]:
    async def look(s: AsyncSession) -> tuple[str, int]:
        name = await s.scalar(select(Instance.name).where(Instance.id == t["instance_id"]))
        return str(name), int(await event_count(s, t["instance_id"]))

    return w.db.run(look)


def group_exists(w: World, t: Target) -> tuple[bool, bool]:
    """Whether the group is there, and whether its key outlived it (deleting a group keeps its keys)."""
    group = w.db.scalar(select(func.count()).select_from(SshKeyGroup).where(SshKeyGroup.id == t["group_id"]))
    key = w.db.scalar(select(func.count()).select_from(SshKey).where(SshKey.id == t["key_id"]))
    return bool(group), bool(key)


def ssh_key_exists(w: World, t: Target) -> bool:
    return bool(w.db.scalar(select(func.count()).select_from(SshKey).where(SshKey.id == t["key_id"])))


def group_keys(w: World, t: Target) -> tuple[str, ...]:
    return tuple(sorted(w.db.scalars(select(SshKeyGroupMember.ssh_key_id)
                                     .where(SshKeyGroupMember.group_id == t["group_id"]))))


# -- targets ----------------------------------------------------------------------------------------

def instance_in(status: str, *, shared: bool, workload_type: str = "interactive") -> Callable[[World, Actor], Target]:
    """An instance made by the creator (a plain member of the team), then put in ``status``."""

    def build(w: World, a: Actor) -> Target:
        inst = w.new_instance(w.people["creator"], shared=shared, workload_type=workload_type)
        if status != "pending":
            assert w.db.execute(update(Instance).where(Instance.id == inst).values(status=status)) == 1
        return {"instance_id": inst}

    return build


def new_instance_spec(shared: bool = False, group_of: str | None = None) -> Callable[[World, Actor], Target]:
    """A new instance's name, shared with the team or not, naming the actor's ("self") or the
    bystander's SSH key group or none."""

    def build(w: World, a: Actor) -> Target:
        group = None if group_of is None else w.new_group(a.person if group_of == "self" else w.people[group_of])
        return {"name": w.name("inst"), "team_id": w.team_id if shared else None, "group": group}

    return build


def renamed(shared: bool) -> Callable[[World, Actor], Target]:
    """A running instance made by the creator, and a fresh name for it."""

    def build(w: World, a: Actor) -> Target:
        return {**instance_in("running", shared=shared)(w, a), "name": w.name("renamed")}

    return build


def fresh_account(role: str) -> Callable[[World, Actor], Target]:
    """Someone not yet in the team, to be added with ``role``."""

    def build(w: World, a: Actor) -> Target:
        person = w.fresh_person()
        return {"team_id": w.team_id, "account_id": person.id, "email": person.email, "role": role}

    return build


def member_of_team(role: str, new_role: str | None = None) -> Callable[[World, Actor], Target]:
    """A fresh account the owner added to the team with ``role`` (``new_role``: what to make it)."""

    def build(w: World, a: Actor) -> Target:
        person = w.fresh_person()
        member_id = w.add_member(w.people["owner"], w.team_id, person.id, role)
        return {"team_id": w.team_id, "member_id": member_id, "account_id": person.id, "role": new_role}

    return build


def own_membership(new_role: str | None = None) -> Callable[[World, Actor], Target]:
    """The actor's own membership, in a fresh team made by another account (``host``), with the
    actor's role in the main team (a second owner for the owner, so leaving is allowed)."""

    def build(w: World, a: Actor) -> Target:
        team = w.new_team(w.people["host"])
        member_id = w.add_member(w.people["host"], team, a.person.id, ROLE_OF[a.name])
        return {"team_id": team, "member_id": member_id, "account_id": a.person.id, "role": new_role}

    return build


def sole_owner(new_role: str | None = None) -> Callable[[World, Actor], Target]:
    """The actor's membership of a fresh team the actor made: its only owner."""

    def build(w: World, a: Actor) -> Target:
        team = w.new_team(a.person)
        return {"team_id": team, "member_id": w.own_member_id(a.person, team), "account_id": a.person.id,
                "role": new_role}

    return build


def own_api_key(w: World, a: Actor) -> Target:
    return {"key_id": w.new_api_key(a.person, ["instances"], ["read"])["id"]}


def others_api_key(w: World, a: Actor) -> Target:
    return {"key_id": w.new_api_key(w.people["bystander"], ["instances"], ["read"])["id"]}


def new_key_upload(w: World, a: Actor) -> Target:
    return {"name": w.name("ssh"), "public_key": public_key(a.person.email)}


def own_ssh_key(w: World, a: Actor) -> Target:
    return {"key_id": w.new_ssh_key(a.person)}


def others_ssh_key(w: World, a: Actor) -> Target:
    return {"key_id": w.new_ssh_key(w.people["bystander"])}


def key_and_group(key_of: str, group_of: str) -> Callable[[World, Actor], Target]:
    """An empty group and a key outside it; each is the actor's ("self") or the bystander's."""

    def build(w: World, a: Actor) -> Target:
        def who(which: str) -> Any:
            return a.person if which == "self" else w.people[which]

        return {"group_id": w.new_group(who(group_of)), "ssh_key_id": w.new_ssh_key(who(key_of))}

    return build


def group_with_key(of: str) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        person = a.person if of == "self" else w.people[of]
        key = w.new_ssh_key(person)
        return {"group_id": w.new_group(person, key), "key_id": key}

    return build


# -- GraphQL documents ------------------------------------------------------------------------------

CREATE_INSTANCE = ("mutation Create($input: CreateInstanceInput!) "
                   "{ createInstance(input: $input) { instance { id teamId } } }")
RENAME_INSTANCE = ("mutation Rename($id: ID!, $name: String!) "
                   "{ updateInstance(id: $id, input: {name: $name}) { instance { id name } } }")
ADD_MEMBER = ("mutation Add($team: ID!, $input: AddTeamMemberInput!) "
              "{ addTeamMember(teamId: $team, input: $input) { member { id role } } }")
UPDATE_MEMBER = ("mutation ReRole($team: ID!, $member: ID!, $role: TeamRole!) "
                 "{ updateTeamMember(teamId: $team, memberId: $member, role: $role) { member { id role } } }")
REMOVE_MEMBER = ("mutation Remove($team: ID!, $member: ID!) "
                 "{ removeTeamMember(teamId: $team, memberId: $member) { member { id } } }")


def instance_body(t: Target) -> dict[str, Any]:
    return {"name": t["name"], "tier": "mig", "storage_gb": 10, "team_id": t["team_id"], "ssh_key_group": t["group"]}


def instance_input(t: Target) -> dict[str, Any]:
    return {"input": {"name": t["name"], "tier": "mig", "storageGb": 10, "teamId": t["team_id"],
                      "sshKeyGroup": t["group"]}}


def member_vars(t: Target) -> dict[str, Any]:
    out = {"team": t["team_id"], "member": t["member_id"]}
    if t.get("role"):
        out["role"] = t["role"].upper()
    return out


# -- the rows ---------------------------------------------------------------------------------------

def moved_to(status: str) -> Callable[[Any, Target], Any]:
    """After an allowed start/stop/requeue/delete: the new status, and exactly one more event."""
    return lambda before, t: (status, before[1] + 1)


def _instance_rows() -> Iterator[Case]:
    create = "POST /api/v1/instances"
    for variant, expect, spec in (
        ("private", ANYONE, new_instance_spec()),
        ("shared-with-team", SHARE, new_instance_spec(shared=True)),
        ("with-own-key-group", ANYONE, new_instance_spec(group_of="self")),
        ("with-someone-elses-key-group", everyone(invalid("ssh_key_group")), new_instance_spec(group_of="bystander")),
    ):
        yield Case(create, "createInstance", variant, expect, spec, created_instances,
                   lambda before, t: (t["team_id"],), CREATE_INSTANCE, instance_input, instance_body)
    verbs = (  # route, mutation, status before, status after, workload type
        ("POST /api/v1/instances/{instance_id}/start", "startInstance", "stopped", "pending", "interactive"),
        ("POST /api/v1/instances/{instance_id}/stop", "stopInstance", "running", "stopping", "interactive"),
        ("POST /api/v1/instances/{instance_id}/requeue", "requeueInstance", "preempted", "pending", "batch"),
        ("DELETE /api/v1/instances/{instance_id}", "deleteInstance", "running", "terminated", "interactive"),
    )
    for route, mutation, before_status, after_status, workload in verbs:
        for variant, shared, expect in (("team-shared", True, MANAGE_SHARED), ("private", False, PRIVATE)):
            yield Case(route, mutation, variant, expect, instance_in(before_status, shared=shared,
                                                                     workload_type=workload),
                       instance_state, moved_to(after_status),
                       by_id(mutation, "instance { id status }"), lambda t: {"id": t["instance_id"]})
    rename = "PATCH /api/v1/instances/{instance_id}"
    for variant, shared, expect in (("team-shared", True, MANAGE_SHARED), ("private", False, PRIVATE)):
        yield Case(rename, "updateInstance", f"rename-{variant}", expect, renamed(shared), instance_name,
                   lambda before, t: (t["name"], before[1] + 1), RENAME_INSTANCE,
                   lambda t: {"id": t["instance_id"], "name": t["name"]}, lambda t: {"name": t["name"]})


def _team_rows() -> Iterator[Case]:
    yield Case("POST /api/v1/teams", "createTeam", "new-team", ANYONE, fresh_name("team"), named(Team),
               lambda before, t: 1,
               "mutation New($input: CreateTeamInput!) { createTeam(input: $input) { team { id } } }",
               lambda t: {"input": {"name": t["name"]}}, lambda t: {"name": t["name"]})

    add = "POST /api/v1/teams/{team_id}/members"
    for role, expect in (("member", MEMBERS), ("viewer", MEMBERS), ("admin", ADMINS), ("owner", ADMINS)):
        yield Case(add, "addTeamMember", f"add-{role}", expect, fresh_account(role), membership,
                   lambda before, t: t["role"], ADD_MEMBER,
                   lambda t: {"team": t["team_id"], "input": {"accountId": t["account_id"], "role": t["role"].upper()}},
                   lambda t: {"account_id": t["account_id"], "role": t["role"]})
    yield Case(add, "addTeamMember", "add-member-by-email", MEMBERS, fresh_account("member"), membership,
               lambda before, t: t["role"], ADD_MEMBER,
               lambda t: {"team": t["team_id"], "input": {"email": t["email"].upper(), "role": "MEMBER"}},
               lambda t: {"email": t["email"].upper(), "role": "member"})

    patch = "PATCH /api/v1/teams/{team_id}/members/{member_id}"
    for old, new, expect in (("member", "viewer", MEMBERS), ("viewer", "member", MEMBERS),
                             ("member", "admin", ADMINS), ("admin", "member", ADMINS), ("owner", "admin", ADMINS)):
        yield Case(patch, "updateTeamMember", f"{old}-to-{new}", expect, member_of_team(old, new), membership,
                   lambda before, t: t["role"], UPDATE_MEMBER, member_vars, lambda t: {"role": t["role"]})
    yield Case(patch, "updateTeamMember", "last-owner-steps-down", LAST, sole_owner("admin"), membership,
               lambda before, t: t["role"], UPDATE_MEMBER, member_vars, lambda t: {"role": t["role"]})

    remove = "DELETE /api/v1/teams/{team_id}/members/{member_id}"
    for role, expect in (("member", MEMBERS), ("viewer", MEMBERS), ("admin", ADMINS), ("owner", ADMINS)):
        yield Case(remove, "removeTeamMember", f"remove-{role}", expect, member_of_team(role), membership,
                   lambda before, t: None, REMOVE_MEMBER, member_vars)
    yield Case(remove, "removeTeamMember", "leave", LEAVE, own_membership(), membership,
               lambda before, t: None, REMOVE_MEMBER, member_vars)
    yield Case(remove, "removeTeamMember", "last-owner-leaves", LAST, sole_owner(), membership,
               lambda before, t: None, REMOVE_MEMBER, member_vars)


def _key_rows() -> Iterator[Case]:
    yield Case("POST /api/v1/api-keys", "createApiKey", "new-key", ANYONE, fresh_name("apikey"), named(ApiKey),
               lambda before, t: 1,
               "mutation New($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }",
               lambda t: {"input": {"name": t["name"], "scopes": ["instances"], "permissions": ["read"]}},
               lambda t: {"name": t["name"], "scopes": ["instances"], "permissions": ["read"]})
    for variant, build, expect in (("own", own_api_key, ANYONE), ("someone-elses", others_api_key, NOBODY)):
        yield Case("DELETE /api/v1/api-keys/{key_id}", "revokeApiKey", variant, expect, build, api_key_state,
                   lambda before, t: (True, before[1] + 1), by_id("revokeApiKey", "apiKey { id }"),
                   lambda t: {"id": t["key_id"]})

    yield Case("POST /api/v1/ssh-keys", "uploadSshKey", "upload", ANYONE, new_key_upload, named(SshKey),
               lambda before, t: 1,
               "mutation Up($input: UploadSshKeyInput!) { uploadSshKey(input: $input) { sshKey { id } } }",
               lambda t: {"input": {"name": t["name"], "publicKey": t["public_key"]}},
               lambda t: {"name": t["name"], "public_key": t["public_key"]})
    yield Case("POST /api/v1/ssh-keys/generate", "generateSshKey", "generate", ANYONE, fresh_name("gen"),
               named(SshKey), lambda before, t: 1,
               "mutation Gen($name: String!) { generateSshKey(name: $name) { sshKey { id } } }",
               lambda t: {"name": t["name"]}, lambda t: {"name": t["name"]})
    for variant, build, expect in (("own", own_ssh_key, ANYONE), ("someone-elses", others_ssh_key, NOBODY)):
        yield Case("DELETE /api/v1/ssh-keys/{key_id}", "deleteSshKey", variant, expect, build, ssh_key_exists,
                   lambda before, t: False, by_id("deleteSshKey", "sshKey { id }"), lambda t: {"id": t["key_id"]})

    yield Case("POST /api/v1/ssh-key-groups", "createSshKeyGroup", "new-group", ANYONE, fresh_name("group"),
               named(SshKeyGroup), lambda before, t: 1,
               "mutation New($input: CreateSshKeyGroupInput!) "
               "{ createSshKeyGroup(input: $input) { sshKeyGroup { id } } }",
               lambda t: {"input": {"name": t["name"]}}, lambda t: {"name": t["name"]})
    add = "POST /api/v1/ssh-key-groups/{group_id}/keys"
    add_doc = ("mutation Add($group: ID!, $key: ID!) "
               "{ addSshKeyToGroup(groupId: $group, sshKeyId: $key) { sshKeyGroup { id } } }")
    for variant, key_of, group_of, expect in (("own-key-own-group", "self", "self", ANYONE),
                                              ("own-key-someone-elses-group", "self", "bystander", NOBODY),
                                              ("someone-elses-key-own-group", "bystander", "self", NOBODY)):
        yield Case(add, "addSshKeyToGroup", variant, expect, key_and_group(key_of, group_of), group_keys,
                   lambda before, t: (t["ssh_key_id"],), add_doc,
                   lambda t: {"group": t["group_id"], "key": t["ssh_key_id"]},
                   lambda t: {"ssh_key_id": t["ssh_key_id"]})
    remove_doc = ("mutation Remove($group: ID!, $key: ID!) "
                  "{ removeSshKeyFromGroup(groupId: $group, sshKeyId: $key) { sshKeyGroup { id } } }")
    for variant, of, expect in (("own-group", "self", ANYONE), ("someone-elses-group", "bystander", NOBODY)):
        yield Case("DELETE /api/v1/ssh-key-groups/{group_id}/keys/{key_id}", "removeSshKeyFromGroup", variant,
                   expect, group_with_key(of), group_keys, lambda before, t: (), remove_doc,
                   lambda t: {"group": t["group_id"], "key": t["key_id"]})
    for variant, of, expect in (("own-group", "self", ANYONE), ("someone-elses-group", "bystander", NOBODY)):
        yield Case("DELETE /api/v1/ssh-key-groups/{group_id}", "deleteSshKeyGroup", variant, expect,
                   group_with_key(of), group_exists, lambda before, t: (False, True),
                   by_id("deleteSshKeyGroup", "sshKeyGroup { id }"), lambda t: {"id": t["group_id"]})


CASES = [*_instance_rows(), *_team_rows(), *_key_rows(), *(case for rows in DOMAIN_ROWS for case in rows())]


# -- coverage: the table against the app -----------------------------------------------------------

def test_every_write_route_and_mutation_has_matrix_rows() -> None:
    routes = write_routes()
    covered = {c.route for c in CASES}
    assert routes - covered == set(), f"write routes without a row in the authorization matrix: {routes - covered}"
    assert covered - routes == set(), f"matrix rows for routes the app does not serve: {covered - routes}"
    names = mutations()
    rows = {c.mutation for c in CASES}
    assert names - rows == set(), f"mutations without a row in the authorization matrix: {names - rows}"
    assert rows - names == set(), f"matrix rows for mutations the schema does not have: {rows - names}"


def test_every_row_runs_as_every_actor_and_calls_its_mutation() -> None:
    for route in {c.route for c in CASES}:
        acting = {a for c in CASES if c.route == route for a in ACTORS if c.outcome(a) is not None}
        assert acting == set(ACTORS), f"{route}: no row runs it as {set(ACTORS) - acting}"
    for c in CASES:
        assert set(c.expect) <= set(HUMANS), c
        assert "owner" in c.expect, f"{c.route} {c.variant}: the owner's keys act where the owner does"
        op = parse(c.gql).definitions[0]
        assert isinstance(op, OperationDefinitionNode) and op.operation.value == "mutation", c.gql
        fields = [s.name.value for s in op.selection_set.selections]  # type: ignore[attr-defined]
        assert fields == [c.mutation], (c.mutation, c.gql)


# -- the walk -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    srv = Server(tmp=Path(tmp_path_factory.mktemp("srv")), extra_env={
        "ICGPU_RUN_WORKERS": "false",  # instance states stay where the test puts them
        "ICGPU_TENANT_STORAGE_QUOTA_GB": "1000000",  # hundreds of fresh instances
        "ICGPU_TENANT_GPU_LIMIT": "1000000",  # ... and VMs, Slurm environments and function runs
    }).start()
    w = None
    try:
        w = build_world(srv)
        yield w
    finally:
        if w is not None:
            w.close()
        srv.stop()


def _params() -> Iterator[Any]:
    for proto in ("rest", "graphql"):
        for case in CASES:
            op = case.route if proto == "rest" else case.mutation
            for actor in ACTORS:
                if case.outcome(actor) is not None:
                    yield pytest.param(proto, case, actor, id=f"{proto}:{op}:{case.variant}:{actor}")


@pytest.mark.parametrize(("proto", "case", "actor"), list(_params()))
def test_matrix(world: World, proto: str, case: Case, actor: str) -> None:
    expected = case.outcome(actor)
    assert expected is not None
    who = world.actors[actor]
    target = case.build(world, who)
    before = case.state(world, target)
    what = f"{proto} {case.route if proto == 'rest' else case.mutation} [{case.variant}] as {actor}"
    if proto == "rest":
        method, path = case.route.split(" ", 1)
        body = case.body(target) if case.body is not None else None
        r = who.api.request(method, path.format(**target), json=body)
        check_rest(r, expected, what)
    else:
        check_graphql(gql_post(who.api, case.gql, case.gvars(target)), case.mutation, expected, what)
    after = case.state(world, target)
    if expected.ok:
        assert after == case.after(before, target), f"{what}: allowed, but the state went {before} -> {after}"
    else:
        assert after == before, f"{what}: refused, but the state went {before} -> {after}"


# -- the dry-run walk ---------------------------------------------------------------------------------
# The same rows with dryRun=true (REST) / dryRun: true (GraphQL): a dry run runs every check, so it
# is refused exactly as the real call is; an allowed one answers {dryRun: true, valid: true,
# <resource>} and changes nothing: not the row's own state, no row of any table, no event.

def dry_run_document(gql: str, mutation: str) -> str:
    """The row's mutation called with ``dryRun: true``, selecting ``dryRun`` and ``valid`` too."""
    doc = parse(gql)
    op = doc.definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    field = op.selection_set.selections[0]
    assert isinstance(field, FieldNode) and field.name.value == mutation and field.selection_set is not None
    dry = replace(field,
                  arguments=(*field.arguments, ArgumentNode(name=NameNode(value="dryRun"),
                                                            value=BooleanValueNode(value=True))),
                  selection_set=replace(field.selection_set, selections=(
                      FieldNode(name=NameNode(value="dryRun")), FieldNode(name=NameNode(value="valid")),
                      *field.selection_set.selections)))
    return print_ast(replace(doc, definitions=(replace(op, selection_set=replace(op.selection_set,
                                                                                 selections=(dry,))),)))


def _dry_run_actors(case: Case) -> list[str]:
    """The owner's key (allowed wherever the owner is), each distinct refusal's first actor."""
    chosen, seen = ["owner_key"], {str(case.outcome("owner_key"))}
    for actor in ACTORS:
        outcome = case.outcome(actor)
        if outcome is not None and str(outcome) not in seen:
            chosen.append(actor)
            seen.add(str(outcome))
    return chosen


def _dry_params() -> Iterator[Any]:
    for proto in ("rest", "graphql"):
        for case in CASES:
            op = case.route if proto == "rest" else case.mutation
            for actor in _dry_run_actors(case):
                yield pytest.param(proto, case, actor, id=f"dry:{proto}:{op}:{case.variant}:{actor}")


@pytest.mark.parametrize(("proto", "case", "actor"), list(_dry_params()))
def test_dry_run_changes_nothing(world: World, proto: str, case: Case, actor: str) -> None:
    expected = case.outcome(actor)
    assert expected is not None
    who = world.actors[actor]
    target = case.build(world, who)
    before, tables_before = case.state(world, target), world.db.table_counts()
    what = f"dry run: {proto} {case.route if proto == 'rest' else case.mutation} [{case.variant}] as {actor}"
    if proto == "rest":
        method, path = case.route.split(" ", 1)
        body = case.body(target) if case.body is not None else None
        r = who.api.request(method, path.format(**target), params={"dryRun": "true"}, json=body)
        check_rest(r, expected, what)
        if expected.ok:
            assert r.status_code == 200, f"{what}: a dry run answers 200, got {r.status_code}"
            answer = r.json()
            assert answer.pop("dryRun") is True and answer.pop("valid") is True, f"{what}: {r.text[:500]}"
            assert len(answer) == 1 and isinstance(next(iter(answer.values())), dict), f"{what}: {r.text[:500]}"
            assert "Idempotent-Replayed" not in r.headers
    else:
        result = gql_post(who.api, dry_run_document(case.gql, case.mutation), case.gvars(target))
        check_graphql(result, case.mutation, expected, what)
        if expected.ok:
            payload = result["data"][case.mutation]
            assert payload["dryRun"] is True and payload["valid"] is True, f"{what}: {payload}"
    assert case.state(world, target) == before, f"{what}: the target's state changed"
    assert world.db.table_counts() == tables_before, f"{what}: rows were written"


def test_dry_run_walk_covers_every_write_route_and_mutation() -> None:
    params = list(_dry_params())
    assert {p.values[1].route for p in params if p.values[0] == "rest"} == write_routes()
    assert {p.values[1].mutation for p in params if p.values[0] == "graphql"} == mutations()
