"""Machinery for the authorization matrix test (tests/server/test_authz_matrix.py).

- ``write_routes`` / ``mutations``: the write surface, read from the app itself (every REST route
  with a write method, every GraphQL mutation), so a new route without a matrix row fails the test;
- ``Db``: one engine on the server's own database, driven from a private event-loop thread (the
  matrix reads and sets rows hundreds of times; a fresh engine per look would dominate the runtime);
- ``World``: the actors (a team's owner, admin, member and viewer, the member who creates shared
  resources, an outsider in the tenant, an account of another tenant, and API keys of the owner)
  and cheap builders for fresh targets;
- ``Outcome`` and the checks of a REST response or a GraphQL result against it.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from icgpu.auth.dev_issuer import DevIssuer
from icgpu.auth.principal import ALL_SCOPES
from icgpu.db.engine import make_engine
from tests.support.auth import dev_issuer
from tests.support.contracts import assert_error
from tests.support.identity import Person, sign_in
from tests.support.server import Server

T = TypeVar("T")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
GRAPHQL_PATH = "/graphql"  # the GraphQL transport; its mutations are enumerated from the schema

ME = "/api/v1/me"
TEAMS = "/api/v1/teams"
API_KEYS = "/api/v1/api-keys"
SSH_KEYS = "/api/v1/ssh-keys"
GROUPS = "/api/v1/ssh-key-groups"
INSTANCES = "/api/v1/instances"


# -- the write surface, from the app ----------------------------------------------------------------

def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x keeps included routers whole
        if included is not None:
            yield from _walk(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            for method in sorted((route.methods or set()) & WRITE_METHODS):
                yield method, prefix + route.path


def write_routes() -> set[str]:
    """Every REST write route the app serves, as "METHOD /path/{param}" (the GraphQL endpoint aside)."""
    from icgpu.app import create_app
    from icgpu.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), database_url=f"sqlite+aiosqlite:///{tmp}/enum.db"))
        routes = {f"{m} {p}" for m, p in _walk(list(app.routes)) if p != GRAPHQL_PATH}
        documented = {f"{m.upper()} {p}" for p, ops in app.openapi()["paths"].items() for m in ops
                      if m.upper() in WRITE_METHODS and p != GRAPHQL_PATH}
    # The walk must at least see what OpenAPI documents (routes hidden from the schema are extra).
    assert documented <= routes, f"route walk missed documented routes: {sorted(documented - routes)}"
    return routes


def mutations() -> set[str]:
    """Every GraphQL mutation field of the served schema."""
    from icgpu.api.graphql.schema import build_schema

    mutation_type = build_schema()._schema.mutation_type
    assert mutation_type is not None
    return set(mutation_type.fields)


# -- the server's database ------------------------------------------------------------------------

class Db:
    """One engine on the server's database; every call runs in a committed transaction."""

    def __init__(self, url: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="matrix-db", daemon=True)
        self._thread.start()
        self._engine: AsyncEngine = self._call(self._make(url))

    @staticmethod
    async def _make(url: str) -> AsyncEngine:
        # BEGIN IMMEDIATE on SQLite, like the server's writes: a test write waits its turn.
        return make_engine(url, immediate=True)

    def _call(self, coro: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)  # type: ignore[arg-type]

    def run(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def go() -> T:
            async with AsyncSession(self._engine, expire_on_commit=False) as s, s.begin():
                return await fn(s)

        return self._call(go())

    def scalar(self, stmt: Any) -> Any:
        async def one(s: AsyncSession) -> Any:
            return await s.scalar(stmt)

        return self.run(one)

    def scalars(self, stmt: Any) -> list[Any]:
        async def many(s: AsyncSession) -> list[Any]:
            return list((await s.scalars(stmt)).all())

        return self.run(many)

    def table_counts(self) -> dict[str, int]:
        """The number of rows in every table of the server's schema."""
        from icgpu.db import tables  # every table registered on the metadata
        from icgpu.db.base import Base

        assert tables.Event.__tablename__ in Base.metadata.tables

        async def count(s: AsyncSession) -> dict[str, int]:
            return {name: int(await s.scalar(select(func.count()).select_from(table)) or 0)
                    for name, table in sorted(Base.metadata.tables.items())}

        return self.run(count)

    def execute(self, stmt: Any) -> int:
        async def write(s: AsyncSession) -> int:
            return int((await s.execute(stmt)).rowcount)  # type: ignore[attr-defined]

        return self.run(write)

    def close(self) -> None:
        self._call(self._engine.dispose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


# -- people, actors and the world they act in -------------------------------------------------------

@dataclass
class Actor:
    """A credential under test and the account behind it (for a key: the key's owner)."""

    name: str
    person: Person
    api: httpx.Client


def public_key(comment: str) -> str:
    """A fresh ed25519 OpenSSH public key line (so fingerprints never collide)."""
    raw = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return f"{raw.decode()} {comment}"


@dataclass
class World:
    server: Server
    db: Db
    tenant: str
    other_tenant: str
    issuer: DevIssuer
    people: dict[str, Person] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    team_id: str = ""
    member_ids: dict[str, str] = field(default_factory=dict)  # tmem- ids in the team, by person name
    _n: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    clients: list[httpx.Client] = field(default_factory=list)

    # -- building blocks ------------------------------------------------------------------------

    def name(self, kind: str) -> str:
        return f"{kind}-{next(self._n)}"

    def client(self, credential: str) -> httpx.Client:
        c = self.server.client(credential)
        self.clients.append(c)
        return c

    def sign_in(self, tenant: str, email: str) -> Person:
        person = sign_in(self.server, tenant, email)
        self.clients.append(person.api)
        return person

    def fresh_person(self) -> Person:
        return self.sign_in(self.tenant, f"{self.name('subject')}@example.com")

    def new_team(self, by: Person) -> str:
        r = by.api.post(TEAMS, json={"name": self.name("team")})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def add_member(self, by: Person, team_id: str, account_id: str, role: str) -> str:
        r = by.api.post(f"{TEAMS}/{team_id}/members", json={"account_id": account_id, "role": role})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def own_member_id(self, person: Person, team_id: str) -> str:
        r = person.api.get(f"{TEAMS}/{team_id}/members", params={"maxResults": 100})
        assert r.status_code == 200, r.text
        ids = [m["id"] for m in r.json()["members"] if m["account_id"] == person.id]
        assert len(ids) == 1, r.json()
        return str(ids[0])

    def new_api_key(self, by: Person, scopes: list[str], permissions: list[str], name: str | None = None
                    ) -> dict[str, Any]:
        r = by.api.post(API_KEYS, json={"name": name or self.name("key"), "scopes": scopes,
                                        "permissions": permissions})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def new_ssh_key(self, by: Person) -> str:
        r = by.api.post(SSH_KEYS, json={"name": self.name("ssh"), "public_key": public_key(by.email)})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def new_group(self, by: Person, *key_ids: str) -> str:
        r = by.api.post(GROUPS, json={"name": self.name("group")})
        assert r.status_code == 201, r.text
        group_id = str(r.json()["id"])
        for key_id in key_ids:
            r = by.api.post(f"{GROUPS}/{group_id}/keys", json={"ssh_key_id": key_id})
            assert r.status_code == 200, r.text
        return group_id

    def new_instance(self, by: Person, *, shared: bool, workload_type: str = "interactive") -> str:
        body: dict[str, Any] = {"name": self.name("inst"), "tier": "mig", "storage_gb": 10,
                                "workload_type": workload_type}
        if shared:
            body["team_id"] = self.team_id
        r = by.api.post(INSTANCES, json=body)
        assert r.status_code == 201, r.text
        assert r.json()["team_id"] == (self.team_id if shared else None), r.json()
        return str(r.json()["id"])

    def close(self) -> None:
        for c in self.clients:
            c.close()
        self.db.close()


TEAM_ROLES = {"owner": "owner", "admin": "admin", "member": "member", "viewer": "viewer", "creator": "member",
              "bystander": "member"}


def build_world(server: Server, tenant: str = "matrix", other_tenant: str = "elsewhere") -> World:
    """Tenant ``tenant`` with one team: its owner (who made it), an admin, a member, a viewer, the
    ``creator`` (a plain member who makes the team-shared instances) and a ``bystander`` member
    (whose personal keys the others try to touch); an ``outsider`` in the tenant in no team; and
    ``foreign``, an account of ``other_tenant``. Key actors are API keys of the owner: ``scoped_key``
    (scope ``models`` only, read), ``readonly_key`` (every scope, read only) and ``owner_key``
    (every scope, read and write: the owner's rights)."""
    w = World(server, Db(server.db_url), tenant, other_tenant, dev_issuer(server))
    for name in ("owner", "admin", "member", "viewer", "creator", "bystander", "outsider", "host"):
        w.people[name] = w.sign_in(tenant, f"{name}@{tenant}.example.com")
    w.people["foreign"] = w.sign_in(other_tenant, f"foreign@{other_tenant}.example.com")
    owner = w.people["owner"]
    w.team_id = w.new_team(owner)
    for name, role in TEAM_ROLES.items():
        if name != "owner":
            w.member_ids[name] = w.add_member(owner, w.team_id, w.people[name].id, role)
    w.member_ids["owner"] = w.own_member_id(owner, w.team_id)
    for name in ("owner", "admin", "member", "viewer", "creator", "outsider", "foreign"):
        w.actors[name] = Actor(name, w.people[name], w.people[name].api)
    keys = {"scoped_key": (["models"], ["read"]), "readonly_key": (list(ALL_SCOPES), ["read"]),
            "owner_key": (list(ALL_SCOPES), ["read", "write"])}
    for name, (scopes, permissions) in keys.items():
        secret = w.new_api_key(owner, scopes, permissions, name=name)["key"]
        w.actors[name] = Actor(name, owner, w.client(secret))
    return w


# -- outcomes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    status: int  # 200 stands for any 2xx
    type: str | None = None
    reason: str | None = None  # the error's code (REST) / extensions.reason (GraphQL)
    field: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def __str__(self) -> str:
        return "allowed" if self.ok else f"{self.status} {self.type} ({self.reason or '-'})"


OK = Outcome(200)
HIDDEN = Outcome(404, "ResourceNotFoundException")
LAST_OWNER = Outcome(409, "ConflictException", "LastOwner")


def denied(reason: str = "TeamRoleTooLow") -> Outcome:
    return Outcome(403, "AccessDeniedException", reason)


def invalid(field_name: str) -> Outcome:
    return Outcome(400, "ValidationException", None, field_name)


def check_rest(r: httpx.Response, expected: Outcome, what: str) -> None:
    if expected.ok:
        assert 200 <= r.status_code < 300, f"{what}: expected {expected}, got {r.status_code}: {r.text[:1000]}"
        return
    assert expected.type is not None
    try:
        assert_error(r, expected.status, expected.type, code=expected.reason, field=expected.field)
    except AssertionError as exc:
        raise AssertionError(f"{what}: expected {expected}: {exc}") from None


def check_graphql(body: dict[str, Any], mutation: str, expected: Outcome, what: str) -> None:
    errors = body.get("errors") or []
    if expected.ok:
        assert not errors, f"{what}: expected {expected}, got {errors}"
        assert (body.get("data") or {}).get(mutation) is not None, f"{what}: no result: {body}"
        return
    assert len(errors) == 1, f"{what}: expected {expected}, got {body}"
    ext = errors[0].get("extensions") or {}
    got = (ext.get("code"), ext.get("status"), ext.get("reason") if expected.reason else None,
           ext.get("field") if expected.field else None)
    assert got == (expected.type, expected.status, expected.reason, expected.field), \
        f"{what}: expected {expected}, got {errors[0]}"
    assert body.get("data") is None, f"{what}: a denied mutation returned data: {body}"
