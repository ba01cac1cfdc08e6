"""Helpers for the identity tests: more accounts in a tenant, teams with members in given roles,
and API keys made through the REST API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.auth import dev_issuer
from tests.support.server import Server

ME = "/api/v1/me"
TEAMS = "/api/v1/teams"
API_KEYS = "/api/v1/api-keys"


@dataclass
class Person:
    """One account in a tenant, signed in with a dev-issuer token."""

    id: str
    email: str
    tenant: str
    api: httpx.Client


def sign_in(server: Server, tenant: str, email: str) -> Person:
    """A token for ``email`` in ``tenant``; the first GET /me creates the account. The subject names
    both, so the same email in two tenants is two identities (a subject maps to one account)."""
    email = email.lower()
    token = dev_issuer(server).mint(subject=f"dev:{tenant}/{email}", email=email, tenant=tenant)
    api = server.client(token)
    r = api.get(ME)
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["email"] == email and me["tenant"]["name"] == tenant, me
    return Person(me["id"], email, tenant, api)


# -- teams ------------------------------------------------------------------------------------------

def members_path(team_id: str, member_id: str | None = None) -> str:
    return f"{TEAMS}/{team_id}/members" + (f"/{member_id}" if member_id else "")


def new_team(api: httpx.Client, name: str, description: str = "") -> dict[str, Any]:
    r = api.post(TEAMS, json={"name": name, "description": description})
    assert r.status_code == 201, r.text
    return dict(r.json())


def add_member(api: httpx.Client, team_id: str, account_id: str, role: str) -> httpx.Response:
    return api.post(members_path(team_id), json={"account_id": account_id, "role": role})


def set_role(api: httpx.Client, team_id: str, member_id: str, role: str) -> httpx.Response:
    return api.patch(members_path(team_id, member_id), json={"role": role})


def remove_member(api: httpx.Client, team_id: str, member_id: str) -> httpx.Response:
    return api.delete(members_path(team_id, member_id))


def members(api: httpx.Client, team_id: str) -> dict[str, dict[str, Any]]:
    """The team's members by account id (every page, bounded)."""
    out: dict[str, dict[str, Any]] = {}
    token = None
    for _ in range(50):
        params: dict[str, Any] = {"maxResults": 100}
        if token:
            params["nextToken"] = token
        r = api.get(members_path(team_id), params=params)
        assert r.status_code == 200, r.text
        for m in r.json()["members"]:
            out[m["account_id"]] = m
        token = r.json()["nextToken"]
        if not token:
            return out
    raise AssertionError("members list did not end")


def all_pages(api: httpx.Client, path: str, key: str, page_size: int) -> list[dict[str, Any]]:
    """Follow nextToken through a listing (bounded), asserting each page's size."""
    items: list[dict[str, Any]] = []
    token = None
    for _ in range(100):
        params: dict[str, Any] = {"maxResults": page_size}
        if token:
            params["nextToken"] = token
        r = api.get(path, params=params)
        assert r.status_code == 200, r.text
        page = r.json()[key]
        assert len(page) <= page_size, page
        items += page
        token = r.json()["nextToken"]
        if not token:
            return items
    raise AssertionError(f"{path} did not end")


@dataclass
class Crew:
    """A team whose owner created it, and one account in each other role (plus extras)."""

    team: dict[str, Any]
    people: dict[str, Person]  # by role name: "owner", "admin", "member", "viewer", ...
    member_ids: dict[str, str] = field(default_factory=dict)  # tmem- ids by the same names

    @property
    def id(self) -> str:
        return str(self.team["id"])


def crew(server: Server, owner: Person, team_name: str, roles: dict[str, str]) -> Crew:
    """``owner`` creates ``team_name`` and adds a fresh account for each ``name: role`` in ``roles``."""
    team = new_team(owner.api, team_name)
    c = Crew(team, {"owner": owner})
    for name, role in roles.items():
        p = sign_in(server, owner.tenant, f"{name}.{team_name}@example.com")
        r = add_member(owner.api, team["id"], p.id, role)
        assert r.status_code == 201, r.text
        c.people[name] = p
        c.member_ids[name] = r.json()["id"]
    c.member_ids["owner"] = members(owner.api, team["id"])[owner.id]["id"]
    return c


# -- API keys ---------------------------------------------------------------------------------------

def create_key(api: httpx.Client, scopes: list[str], permissions: list[str] | None = None, *,
               name: str = "test-key", expires_in_days: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "scopes": scopes}
    if permissions is not None:
        body["permissions"] = permissions
    if expires_in_days is not None:
        body["expires_in_days"] = expires_in_days
    r = api.post(API_KEYS, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def list_keys(api: httpx.Client) -> list[dict[str, Any]]:
    return all_pages(api, API_KEYS, "api_keys", 100)
