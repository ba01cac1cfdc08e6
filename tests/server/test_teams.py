"""Who am I, teams and their members, the role rules, and team-shared instances (issue 3).

Every test makes its own tenants (a first sign-in with a new tenant claim creates one), so tests
share one server without seeing each other's teams.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest

from icgpu.db.tables import Account
from tests.support.contracts import INSTANCES, act, assert_error, count_rows, get, listed_ids, new_instance, wait_status
from tests.support.graphql import gql_data
from tests.support.identity import (
    ME,
    TEAMS,
    Crew,
    Person,
    add_member,
    all_pages,
    create_key,
    crew,
    members,
    members_path,
    new_team,
    remove_member,
    set_role,
    sign_in,
)
from tests.support.server import Server

MANAGERS = ("owner", "admin")
ROLES = {"admin": "admin", "member": "member", "viewer": "viewer"}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def owner(server: Server) -> Person:
    """The first account of a fresh tenant."""
    tenant = unique("org")
    return sign_in(server, tenant, f"owner@{tenant}.example.com")


@pytest.fixture
def stranger(server: Server) -> Person:
    """An account in another fresh tenant."""
    tenant = unique("other")
    return sign_in(server, tenant, f"someone@{tenant}.example.com")


def my_team_ids(api: httpx.Client) -> set[str]:
    return {t["id"] for t in all_pages(api, f"{TEAMS}/my", "teams", 100)}


# -- who am I -------------------------------------------------------------------------------------

def test_me_shows_account_tenant_and_teams_with_roles(server: Server, owner: Person) -> None:
    me = owner.api.get(ME).json()
    assert me["id"] == owner.id and me["id"].startswith("acc-")
    assert me["email"] == owner.email
    assert me["tenant"]["name"] == owner.tenant and me["tenant"]["id"].startswith("tnt-")
    assert me["teams"] == []
    assert me["credential_type"] == "oidc"

    first = new_team(owner.api, "alpha")
    second = new_team(owner.api, "beta")
    viewer = sign_in(server, owner.tenant, "vera@example.com")
    assert add_member(owner.api, second["id"], viewer.id, "viewer").status_code == 201

    me = owner.api.get(ME).json()
    assert my_teams_of(me) == [(first["id"], "alpha", "owner"), (second["id"], "beta", "owner")]
    assert [t["team"] for t in me["teams"]] == [first, second]
    theirs = viewer.api.get(ME).json()
    assert theirs["tenant"] == me["tenant"]
    assert my_teams_of(theirs) == [(second["id"], "beta", "viewer")]
    assert theirs["teams"][0]["team"]["role"] == "viewer"


def my_teams_of(me: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``GET /me``'s teams as (id, name, the caller's role)."""
    return [(t["team"]["id"], t["team"]["name"], t["role"]) for t in me["teams"]]


def test_first_call_by_a_new_email_creates_the_account_once(server: Server, owner: Person) -> None:
    email = "newcomer@example.com"
    assert count_rows(server, Account, email=email) == 0
    newcomer = sign_in(server, owner.tenant, email)
    assert count_rows(server, Account, email=email) == 1
    assert newcomer.id != owner.id
    for _ in range(3):
        again = newcomer.api.get(ME).json()
        assert again["id"] == newcomer.id and again["tenant"]["name"] == owner.tenant
    assert count_rows(server, Account, email=email) == 1
    # The same email in another tenant is another account.
    elsewhere = sign_in(server, unique("elsewhere"), "newcomer2@example.com")
    assert elsewhere.id != newcomer.id


def test_api_key_caller_sees_its_credential(server: Server, owner: Person) -> None:
    key = create_key(owner.api, ["models", "instances"], ["read"])
    with server.client(key["key"]) as key_api:
        r = key_api.get(ME)
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["id"] == owner.id and me["email"] == owner.email and me["tenant"]["name"] == owner.tenant
    assert (me["credential_type"], me["scopes"], me["permissions"]) == ("api_key", ["instances", "models"], ["read"])
    assert me["api_key_id"] == key["id"]
    full = owner.api.get(ME).json()
    assert full["credential_type"] == "oidc" and set(full["permissions"]) == {"read", "write"}
    assert full["api_key_id"] is None
    assert {"instances", "models", "keys", "teams", "tokens"} <= set(full["scopes"])


def test_graphql_viewer(server: Server, owner: Person) -> None:
    team = new_team(owner.api, "gql-team")
    query = ("{ viewer { id email tenant { id name } teams { role team { id name } }"
             " credentialType scopes permissions } }")
    viewer = gql_data(owner.api, query)["viewer"]
    rest = owner.api.get(ME).json()
    assert viewer["id"] == owner.id and viewer["email"] == owner.email
    assert viewer["tenant"] == rest["tenant"]
    assert [(m["role"].lower(), m["team"]) for m in viewer["teams"]] == [("owner", {"id": team["id"],
                                                                                    "name": "gql-team"})]
    assert viewer["credentialType"].lower() == "oidc" and set(viewer["permissions"]) == {"read", "write"}
    key = create_key(owner.api, ["models", "teams"], ["read"])
    with server.client(key["key"]) as key_api:
        by_key = gql_data(key_api, query)["viewer"]
    assert by_key["id"] == owner.id and by_key["teams"] == viewer["teams"]
    assert by_key["credentialType"].lower() == "api_key"
    assert by_key["scopes"] == ["models", "teams"] and by_key["permissions"] == ["read"]


# -- teams ----------------------------------------------------------------------------------------

def test_create_team_makes_the_creator_its_owner(server: Server, owner: Person, stranger: Person) -> None:
    r = owner.api.post(TEAMS, json={"name": "ML Research", "description": "Machine learning research team"})
    assert r.status_code == 201, r.text
    team = r.json()
    assert team["id"].startswith("team-")
    assert team["name"] == "ML Research" and team["description"] == "Machine learning research team"
    assert team["created_by"] == owner.id and team["role"] == "owner" and team["created_at"]
    listed = members(owner.api, team["id"])
    assert list(listed) == [owner.id]
    assert listed[owner.id]["role"] == "owner" and listed[owner.id]["email"] == owner.email
    assert listed[owner.id]["id"].startswith("tmem-") and listed[owner.id]["team_id"] == team["id"]

    # The name is unique within the tenant, whoever asks.
    assert_error(owner.api.post(TEAMS, json={"name": "ML Research"}), 409, "ConflictException")
    colleague = sign_in(server, owner.tenant, "colleague@example.com")
    assert_error(colleague.api.post(TEAMS, json={"name": "ML Research"}), 409, "ConflictException")
    # Another tenant may use it.
    r = stranger.api.post(TEAMS, json={"name": "ML Research"})
    assert r.status_code == 201, r.text
    assert r.json()["id"] != team["id"]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": 7}, "name"),
    ({"name": "ok", "description": "d" * 2001}, "description"),
    ({"name": "ok", "owner": "acc-1"}, "owner"),
])
def test_create_team_validation(owner: Person, body: dict[str, Any], field: str) -> None:
    assert_error(owner.api.post(TEAMS, json=body), 400, "ValidationException", field=field)
    assert owner.api.get(f"{TEAMS}/my").json()["teams"] == []


def test_list_teams_is_paginated_and_tenant_scoped(server: Server, owner: Person, stranger: Person) -> None:
    mine = [new_team(owner.api, f"team-{i}")["id"] for i in range(5)]
    bob = sign_in(server, owner.tenant, "bob@example.com")
    bobs = new_team(bob.api, "bobs-team")["id"]
    foreign = new_team(stranger.api, "team-0")["id"]

    for who in (owner, bob):
        listed = all_pages(who.api, TEAMS, "teams", 2)
        ids = [t["id"] for t in listed]
        assert len(ids) == len(set(ids)) == 6, listed
        assert set(ids) == {*mine, bobs} and foreign not in ids
    by_id = {t["id"]: t for t in all_pages(bob.api, TEAMS, "teams", 2)}
    assert by_id[bobs]["role"] == "owner" and all(by_id[t]["role"] is None for t in mine)

    assert my_team_ids(owner.api) == set(mine)
    assert my_team_ids(bob.api) == {bobs}
    assert [t["id"] for t in all_pages(stranger.api, TEAMS, "teams", 2)] == [foreign]
    # A page token belongs to its list: not to another tenant's.
    token = owner.api.get(TEAMS, params={"maxResults": 2}).json()["nextToken"]
    assert token
    assert_error(stranger.api.get(TEAMS, params={"maxResults": 2, "nextToken": token}), 400, "ValidationException")


def test_get_team(server: Server, owner: Person, stranger: Person) -> None:
    team = new_team(owner.api, "gettable", "visible to the tenant")
    r = owner.api.get(f"{TEAMS}/{team['id']}")
    assert r.status_code == 200 and r.json() == team
    colleague = sign_in(server, owner.tenant, "colleague@example.com")
    seen = colleague.api.get(f"{TEAMS}/{team['id']}").json()
    assert seen["id"] == team["id"] and seen["role"] is None
    assert_error(stranger.api.get(f"{TEAMS}/{team['id']}"), 404, "ResourceNotFoundException")
    for missing in ("team-doesnotexist0", "nonsense", "tmem-x"):
        assert_error(owner.api.get(f"{TEAMS}/{missing}"), 404, "ResourceNotFoundException")


def test_only_members_list_members(server: Server, owner: Person, stranger: Person) -> None:
    c = crew(server, owner, "listing", ROLES)
    for name in ("owner", "admin", "member", "viewer"):
        listed = members(c.people[name].api, c.id)
        assert {a: m["role"] for a, m in listed.items()} == {
            c.people[n].id: ("owner" if n == "owner" else n) for n in ("owner", "admin", "member", "viewer")}
    outsider = sign_in(server, owner.tenant, "outsider@example.com")
    assert_error(outsider.api.get(members_path(c.id)), 403, "AccessDeniedException")
    assert_error(stranger.api.get(members_path(c.id)), 404, "ResourceNotFoundException")
    # Nor may an outsider manage them, or join uninvited.
    assert_error(add_member(outsider.api, c.id, outsider.id, "viewer"), 403, "AccessDeniedException")
    assert_error(set_role(outsider.api, c.id, c.member_ids["viewer"], "member"), 403, "AccessDeniedException")
    assert_error(remove_member(outsider.api, c.id, c.member_ids["viewer"]), 403, "AccessDeniedException")
    # Paginated like every list.
    pages = all_pages(owner.api, members_path(c.id), "members", 3)
    assert len(pages) == 4 and len({m["id"] for m in pages}) == 4


# -- role rules -----------------------------------------------------------------------------------

def test_admin_manages_members_and_viewers_only(server: Server, owner: Person) -> None:
    c = crew(server, owner, "admins", {"admin": "admin", "admin2": "admin"})
    admin = c.people["admin"].api
    new = [sign_in(server, owner.tenant, f"new{i}@example.com") for i in range(3)]

    r = add_member(admin, c.id, new[0].id, "member")
    assert r.status_code == 201 and r.json()["role"] == "member", r.text
    m0 = r.json()["id"]
    r = add_member(admin, c.id, new[1].id, "viewer")
    assert r.status_code == 201, r.text
    m1 = r.json()["id"]
    for role in ("admin", "owner"):
        assert_error(add_member(admin, c.id, new[2].id, role), 403, "AccessDeniedException")
    assert new[2].id not in members(owner.api, c.id)

    r = set_role(admin, c.id, m0, "viewer")
    assert r.status_code == 200 and r.json()["role"] == "viewer", r.text
    r = set_role(admin, c.id, m0, "member")
    assert r.status_code == 200 and r.json()["role"] == "member", r.text
    for role in ("admin", "owner"):
        assert_error(set_role(admin, c.id, m0, role), 403, "AccessDeniedException")
    # Admins and owners are out of an admin's reach, including promoting or demoting them.
    for target in ("admin2", "owner"):
        assert_error(set_role(admin, c.id, c.member_ids[target], "member"), 403, "AccessDeniedException")
        assert_error(remove_member(admin, c.id, c.member_ids[target]), 403, "AccessDeniedException")
    assert_error(set_role(admin, c.id, c.member_ids["admin"], "member"), 403, "AccessDeniedException")

    r = remove_member(admin, c.id, m1)
    assert r.status_code == 200 and r.json()["account_id"] == new[1].id, r.text
    r = remove_member(admin, c.id, m0)
    assert r.status_code == 200, r.text
    roles = {a: m["role"] for a, m in members(owner.api, c.id).items()}
    assert roles == {owner.id: "owner", c.people["admin"].id: "admin", c.people["admin2"].id: "admin"}


def test_owner_manages_every_role(server: Server, owner: Person) -> None:
    c = crew(server, owner, "owners", {"admin": "admin"})
    new = sign_in(server, owner.tenant, "rising@example.com")
    r = add_member(owner.api, c.id, new.id, "admin")
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    for role in ("owner", "viewer", "member", "admin", "owner"):
        r = set_role(owner.api, c.id, mid, role)
        assert r.status_code == 200 and r.json()["role"] == role, r.text
    assert members(new.api, c.id)[new.id]["role"] == "owner"
    # The new owner can demote and remove the original admin, and even the first owner.
    assert set_role(new.api, c.id, c.member_ids["admin"], "member").status_code == 200
    assert remove_member(new.api, c.id, c.member_ids["admin"]).status_code == 200
    assert remove_member(new.api, c.id, c.member_ids["owner"]).status_code == 200
    assert {a: m["role"] for a, m in members(new.api, c.id).items()} == {new.id: "owner"}
    assert c.id not in my_team_ids(owner.api)
    assert_error(owner.api.get(members_path(c.id)), 403, "AccessDeniedException")
    # An owner may add another owner directly.
    r = add_member(new.api, c.id, owner.id, "owner")
    assert r.status_code == 201 and r.json()["role"] == "owner", r.text


@pytest.mark.parametrize("actor", ["member", "viewer"])
def test_members_and_viewers_cannot_manage_members(server: Server, owner: Person, actor: str) -> None:
    c = crew(server, owner, f"flat-{actor}", {**ROLES, "other": "viewer"})
    api = c.people[actor].api
    new = sign_in(server, owner.tenant, f"hopeful-{actor}@example.com")
    for role in ("viewer", "member", "admin", "owner"):
        assert_error(add_member(api, c.id, new.id, role), 403, "AccessDeniedException")
    for target in ("owner", "admin", "member", "viewer", "other"):
        if target == actor:
            continue
        assert_error(set_role(api, c.id, c.member_ids[target], "viewer"), 403, "AccessDeniedException")
        assert_error(remove_member(api, c.id, c.member_ids[target]), 403, "AccessDeniedException")
    # Nor raise themselves.
    assert_error(set_role(api, c.id, c.member_ids[actor], "admin"), 403, "AccessDeniedException")
    assert len(members(owner.api, c.id)) == 5


@pytest.mark.parametrize("role", ["admin", "member", "viewer"])
def test_anyone_may_leave(server: Server, owner: Person, role: str) -> None:
    c = crew(server, owner, f"leaving-{role}", {"leaver": role})
    leaver = c.people["leaver"]
    assert c.id in my_team_ids(leaver.api)
    r = remove_member(leaver.api, c.id, c.member_ids["leaver"])
    assert r.status_code == 200 and r.json()["account_id"] == leaver.id, r.text
    assert c.id not in my_team_ids(leaver.api)
    assert leaver.api.get(ME).json()["teams"] == []
    assert_error(leaver.api.get(members_path(c.id)), 403, "AccessDeniedException")
    assert list(members(owner.api, c.id)) == [owner.id]
    # Gone means gone: a second removal is 404.
    assert_error(remove_member(owner.api, c.id, c.member_ids["leaver"]), 404, "ResourceNotFoundException")


def test_adding_members_checks_the_account(server: Server, owner: Person, stranger: Person) -> None:
    team = new_team(owner.api, "checks")
    colleague = sign_in(server, owner.tenant, "colleague@example.com")
    # Another tenant's account is not found here.
    assert_error(add_member(owner.api, team["id"], stranger.id, "member"), 404, "ResourceNotFoundException")
    for bogus in ("acc-doesnotexist00", "nonsense"):
        assert_error(add_member(owner.api, team["id"], bogus, "member"), 404, "ResourceNotFoundException")
    r = add_member(owner.api, team["id"], colleague.id, "member")
    assert r.status_code == 201, r.text
    assert r.json()["email"] == colleague.email and r.json()["team_id"] == team["id"]
    for role in ("member", "admin"):
        assert_error(add_member(owner.api, team["id"], colleague.id, role), 409, "ConflictException")
    assert_error(add_member(owner.api, team["id"], owner.id, "viewer"), 409, "ConflictException")
    # Validation.
    for body, field in (({"account_id": colleague.id, "role": "superuser"}, "role"),
                        ({"role": "member"}, "account_id"),
                        ({"account_id": colleague.id, "role": "member", "extra": 1}, "extra")):
        assert_error(owner.api.post(members_path(team["id"]), json=body), 400, "ValidationException", field=field)
    mid = r.json()["id"]
    assert_error(set_role(owner.api, team["id"], mid, "root"), 400, "ValidationException", field="role")
    # Unknown teams and members; another tenant cannot touch the team.
    assert_error(add_member(owner.api, "team-doesnotexist0", colleague.id, "member"), 404,
                 "ResourceNotFoundException")
    assert_error(set_role(owner.api, team["id"], "tmem-doesnotexist0", "member"), 404, "ResourceNotFoundException")
    assert_error(add_member(stranger.api, team["id"], stranger.id, "owner"), 404, "ResourceNotFoundException")
    assert_error(remove_member(stranger.api, team["id"], mid), 404, "ResourceNotFoundException")
    assert_error(set_role(stranger.api, team["id"], mid, "owner"), 404, "ResourceNotFoundException")
    # A member id only means something in its own team.
    other = new_team(owner.api, "checks-2")
    assert_error(set_role(owner.api, other["id"], mid, "viewer"), 404, "ResourceNotFoundException")
    assert members(owner.api, team["id"])[colleague.id]["role"] == "member"


def test_a_team_keeps_an_owner(server: Server, owner: Person) -> None:
    c = crew(server, owner, "last-owner", {"admin": "admin", "second": "admin"})
    me = c.member_ids["owner"]
    for role in ("admin", "member", "viewer"):
        assert_error(set_role(owner.api, c.id, me, role), 409, "ConflictException", code="LastOwner")
    assert_error(remove_member(owner.api, c.id, me), 409, "ConflictException", code="LastOwner")
    assert_error(remove_member(c.people["admin"].api, c.id, me), 403, "AccessDeniedException")
    assert set_role(owner.api, c.id, me, "owner").status_code == 200  # owner to owner is no demotion

    # With two owners, one can be demoted; then the other is the last again.
    assert set_role(owner.api, c.id, c.member_ids["second"], "owner").status_code == 200
    second = c.people["second"]
    r = set_role(second.api, c.id, me, "admin")
    assert r.status_code == 200 and r.json()["role"] == "admin", r.text
    assert_error(set_role(second.api, c.id, c.member_ids["second"], "member"), 409, "ConflictException",
                 code="LastOwner")
    assert_error(remove_member(second.api, c.id, c.member_ids["second"]), 409, "ConflictException",
                 code="LastOwner")
    # Two owners again: one may leave.
    assert set_role(second.api, c.id, me, "owner").status_code == 200
    assert remove_member(second.api, c.id, c.member_ids["second"]).status_code == 200
    assert {a: m["role"] for a, m in members(owner.api, c.id).items()} == {
        owner.id: "owner", c.people["admin"].id: "admin"}


def race(calls: list[Any]) -> list[httpx.Response]:
    """Run each call in its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    results: list[httpx.Response | BaseException | None] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = calls[i]()
        except BaseException as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing request hung"
    out: list[httpx.Response] = []
    for res in results:
        assert isinstance(res, httpx.Response), res
        out.append(res)
    return out


def owners(api: httpx.Client, team_id: str) -> list[str]:
    return [acc for acc, m in members(api, team_id).items() if m["role"] == "owner"]


@pytest.mark.parametrize("how", ["demote", "remove"])
def test_two_owners_removing_each_other_leaves_one(server: Server, owner: Person, how: str) -> None:
    """Each owner demotes (or removes) the other at once: exactly one wins. The loser is refused with
    409 LastOwner if it was checked against the other's pending change, or 403 if the winner's
    change came first and it is no longer an owner itself; never both succeed, never a 500."""
    c = crew(server, owner, f"race-{how}", {"second": "owner"})
    a, b = owner, c.people["second"]
    for round_ in range(3):
        if how == "demote":
            calls = [lambda: set_role(a.api, c.id, c.member_ids["second"], "admin"),
                     lambda: set_role(b.api, c.id, c.member_ids["owner"], "admin")]
        else:
            calls = [lambda: remove_member(a.api, c.id, c.member_ids["second"]),
                     lambda: remove_member(b.api, c.id, c.member_ids["owner"])]
        results = race(calls)
        assert sorted(r.status_code for r in results) in ([200, 403], [200, 409]), [r.text for r in results]
        loser = next(r for r in results if r.status_code != 200)
        if loser.status_code == 409:
            assert_error(loser, 409, "ConflictException", code="LastOwner")
        else:
            assert_error(loser, 403, "AccessDeniedException", code="TeamRoleTooLow")
        survivor, other = (a, b) if results[0].status_code == 200 else (b, a)
        assert owners(survivor.api, c.id) == [survivor.id], round_
        # Restore two owners for the next round.
        other_name = "owner" if other is a else "second"
        if how == "demote":
            assert set_role(survivor.api, c.id, c.member_ids[other_name], "owner").status_code == 200
        else:
            r = add_member(survivor.api, c.id, other.id, "owner")
            assert r.status_code == 201, r.text
            c.member_ids[other_name] = r.json()["id"]


@pytest.mark.parametrize("how", ["demote", "remove"])
def test_two_owners_stepping_down_at_once_leaves_one(server: Server, owner: Person, how: str) -> None:
    """Both owners demote themselves (or leave) at once: one succeeds, the other is the last owner: 409."""
    c = crew(server, owner, f"step-{how}", {"second": "owner"})
    people = {"owner": owner, "second": c.people["second"]}
    for round_ in range(3):
        if how == "demote":
            calls = [lambda n=n: set_role(people[n].api, c.id, c.member_ids[n], "member") for n in people]
        else:
            calls = [lambda n=n: remove_member(people[n].api, c.id, c.member_ids[n]) for n in people]
        results = race(calls)
        assert sorted(r.status_code for r in results) == [200, 409], [r.text for r in results]
        assert_error(next(r for r in results if r.status_code == 409), 409, "ConflictException", code="LastOwner")
        names = list(people)
        survivor, other = (names[1], names[0]) if results[0].status_code == 200 else (names[0], names[1])
        assert owners(people[survivor].api, c.id) == [people[survivor].id], round_
        if how == "demote":
            assert set_role(people[survivor].api, c.id, c.member_ids[other], "owner").status_code == 200
        else:
            r = add_member(people[survivor].api, c.id, people[other].id, "owner")
            assert r.status_code == 201, r.text
            c.member_ids[other] = r.json()["id"]


# -- sharing --------------------------------------------------------------------------------------

def shared_crew(server: Server, owner: Person, name: str) -> Crew:
    """A team with an admin, a member who creates instances, another member and a viewer."""
    return crew(server, owner, name, {"admin": "admin", "creator": "member", "member": "member",
                                      "viewer": "viewer"})


def test_shared_instance_is_visible_to_the_team_only(server: Server, owner: Person, stranger: Person) -> None:
    c = shared_crew(server, owner, "seeing")
    inst = new_instance(c.people["creator"].api, "shared-box", team_id=c.id)
    assert inst["team_id"] == c.id and inst["account_id"] == c.people["creator"].id
    private = new_instance(c.people["creator"].api, "private-box")
    for name in ("owner", "admin", "creator", "member", "viewer"):
        api = c.people[name].api
        assert get(api, inst["id"])["team_id"] == c.id
        ids = listed_ids(api)
        assert inst["id"] in ids
        if name != "creator":
            assert private["id"] not in ids
            assert_error(api.get(f"{INSTANCES}/{private['id']}"), 404, "ResourceNotFoundException")
    outsider = sign_in(server, owner.tenant, "outsider@example.com")
    for who in (outsider, stranger):
        assert_error(who.api.get(f"{INSTANCES}/{inst['id']}"), 404, "ResourceNotFoundException")
        assert inst["id"] not in listed_ids(who.api)
        assert_error(act(who.api, inst["id"], "stop"), 404, "ResourceNotFoundException")
        assert_error(act(who.api, inst["id"], "delete"), 404, "ResourceNotFoundException")


def test_admins_and_owners_manage_shared_instances(server: Server, owner: Person) -> None:
    c = shared_crew(server, owner, "managing")
    creator = c.people["creator"].api
    inst = new_instance(creator, "managed-box", team_id=c.id)["id"]
    other = new_instance(creator, "other-box", team_id=c.id)["id"]

    # Members who did not create it and viewers may look but not touch.
    for name in ("member", "viewer"):
        api = c.people[name].api
        for verb in ("stop", "start", "delete"):
            assert_error(act(api, inst, verb), 403, "AccessDeniedException")
    assert get(creator, inst)["status"] != "terminated"

    r = act(c.people["admin"].api, inst, "stop")
    assert r.status_code == 200, r.text
    wait_status(owner.api, inst, "stopped")
    r = act(owner.api, inst, "start")
    assert r.status_code == 200 and r.json()["status"] == "pending", r.text
    r = act(creator, inst, "stop")
    assert r.status_code == 200, r.text
    wait_status(creator, inst, "stopped")
    for name in ("member", "viewer"):
        assert_error(act(c.people[name].api, inst, "start"), 403, "AccessDeniedException")
    r = act(creator, inst, "start")
    assert r.status_code == 200, r.text
    r = act(owner.api, inst, "delete")
    assert r.status_code == 200 and r.json()["status"] == "terminated", r.text
    r = act(c.people["admin"].api, other, "delete")
    assert r.status_code == 200 and r.json()["status"] == "terminated", r.text
    # The creator can always manage their own shared instance, even after leaving the team.
    third = new_instance(creator, "third-box", team_id=c.id)["id"]
    assert remove_member(creator, c.id, c.member_ids["creator"]).status_code == 200
    assert get(creator, third)["team_id"] == c.id
    r = act(creator, third, "delete")
    assert r.status_code == 200, r.text


def test_leaving_the_team_removes_visibility(server: Server, owner: Person) -> None:
    c = shared_crew(server, owner, "unseeing")
    inst = new_instance(c.people["creator"].api, "fading-box", team_id=c.id)["id"]
    for name in ("member", "viewer"):
        api = c.people[name].api
        assert inst in listed_ids(api)
        assert remove_member(owner.api, c.id, c.member_ids[name]).status_code == 200
        assert inst not in listed_ids(api)
        assert_error(api.get(f"{INSTANCES}/{inst}"), 404, "ResourceNotFoundException")
    # An admin demoted to viewer still sees it but can no longer manage it.
    admin = c.people["admin"].api
    assert set_role(owner.api, c.id, c.member_ids["admin"], "viewer").status_code == 200
    assert get(admin, inst)["id"] == inst
    assert_error(act(admin, inst, "stop"), 403, "AccessDeniedException")


def test_sharing_needs_the_member_role(server: Server, owner: Person, stranger: Person) -> None:
    c = shared_crew(server, owner, "sharing")
    viewer = c.people["viewer"].api
    r = viewer.post(INSTANCES, json={"name": "viewer-box", "tier": "mig", "team_id": c.id})
    assert_error(r, 403, "AccessDeniedException")
    assert "viewer-box" not in [i["name"] for i in viewer.get(INSTANCES).json()["instances"]]
    outsider = sign_in(server, owner.tenant, "outsider@example.com")
    assert_error(outsider.api.post(INSTANCES, json={"name": "outsider-box", "tier": "mig", "team_id": c.id}), 403,
                 "AccessDeniedException")
    for bogus in ("team-doesnotexist0", "nonsense", new_team(stranger.api, "theirs")["id"]):
        r = c.people["member"].api.post(INSTANCES, json={"name": "lost-box", "tier": "mig", "team_id": bogus})
        assert_error(r, 400, "ValidationException", field="team_id")
    for name in ("member", "admin", "owner"):
        inst = new_instance(c.people[name].api, f"{name}-box", team_id=c.id)
        assert inst["team_id"] == c.id
        assert inst["id"] in listed_ids(viewer)


def test_team_scope_guards_team_routes(server: Server, owner: Person) -> None:
    team = new_team(owner.api, "scoped")
    colleague = sign_in(server, owner.tenant, "colleague@example.com")
    reader = create_key(owner.api, ["teams"], ["read"])["key"]
    other = create_key(owner.api, ["instances"], ["read", "write"])["key"]
    with server.client(reader) as r_api, server.client(other) as o_api:
        assert r_api.get(TEAMS).status_code == 200
        assert r_api.get(members_path(team["id"])).status_code == 200
        assert_error(r_api.post(TEAMS, json={"name": "nope"}), 403, "AccessDeniedException")
        assert_error(add_member(r_api, team["id"], colleague.id, "member"), 403, "AccessDeniedException")
        assert_error(o_api.get(TEAMS), 403, "AccessDeniedException")
        assert_error(o_api.get(f"{TEAMS}/{team['id']}"), 403, "AccessDeniedException")
        assert_error(add_member(o_api, team["id"], colleague.id, "member"), 403, "AccessDeniedException")
    assert list(members(owner.api, team["id"])) == [owner.id]
