"""Nothing secret is ever returned twice, logged or stored.

The module makes API keys (REST, with an API key, with an Idempotency-Key, over GraphQL) and
generated SSH key pairs, uses them, then hunts for every secret it created: in the body of every
list and get route (REST and GraphQL), in the events stream, in Idempotency-Key replays, in the
server's log and in every column of every table of the server's database. The server prints its
own first-start owner credentials to its log; only this module's secrets are looked for.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.base import Base
from icgpu.db.tables import ApiKey
from tests.support.auth import run_db
from tests.support.contracts import INSTANCES, assert_error, wait_status
from tests.support.graphql import EVENTS_SUB, arm, subscribe
from tests.support.server import Server
from tests.support.ssh_keys import GROUPS, SSH_KEYS, add_to_group, generate, new_group, pem_body, unique
from tests.support.tenants import Tenant, bootstrap_tenant

API_KEYS = "/api/v1/api-keys"
SECRET_PART = len("sk-ic-") + 4  # what follows the displayed prefix "sk-ic-abc1"


@dataclass
class Secrets:
    """Every secret this module created, by label; ``found_in`` names those a text contains."""

    hunted: dict[str, str] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)  # id -> full key
    private_keys: dict[str, str] = field(default_factory=dict)  # ssh key id -> PEM

    def api_key(self, label: str, key_id: str | None, key: str) -> None:
        assert key.startswith("sk-ic-") and len(key) > SECRET_PART + 30, key
        self.hunted[label] = key
        self.hunted[f"{label} (after prefix)"] = key[SECRET_PART:]
        if key_id:
            self.api_keys[key_id] = key

    def private_key(self, label: str, key_id: str, pem: str) -> None:
        self.private_keys[key_id] = pem
        body_lines = [ln for ln in pem.strip().splitlines() if not ln.startswith("-----")]
        assert len(body_lines) >= 4, pem
        self.hunted[f"{label} (PEM body)"] = pem_body(pem)
        # Every full line but the first (the "openssh-key-v1 none none" header every key shares).
        for i, line in enumerate(body_lines[1:], start=1):
            if len(line) >= 40:
                self.hunted[f"{label} (PEM line {i})"] = line
        key = serialization.load_ssh_private_key(pem.encode(), password=None)
        assert isinstance(key, ed25519.Ed25519PrivateKey)
        seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
        self.hunted[f"{label} (seed hex)"] = seed.hex()
        self.hunted[f"{label} (seed base64)"] = base64.b64encode(seed).decode().rstrip("=")
        self.hunted[f"{label} (seed base64url)"] = base64.urlsafe_b64encode(seed).decode().rstrip("=")

    def found_in(self, text: str) -> list[str]:
        return [label for label, value in self.hunted.items() if value in text]


@dataclass
class World:
    owner: Tenant
    secrets: Secrets
    group_id: str
    instance_id: str
    revoked_id: str
    replays: dict[str, tuple[httpx.Response, httpx.Response]]  # route -> (first, replay)


def gql(api: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    r = api.post("/graphql", json={"query": query, "variables": variables or {}})
    assert r.status_code == 200 and not r.json().get("errors"), r.text
    return r


def create_api_key(api: httpx.Client, body: dict[str, Any], **headers: str) -> httpx.Response:
    r = api.post(API_KEYS, json=body, headers=headers)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["id"].startswith("ak-") and made["key"].startswith("sk-ic-"), made
    assert made["prefix"] == made["key"][:SECRET_PART], made
    return r


@pytest.fixture(scope="module")
def world(server: Server) -> Iterator[World]:
    owner = bootstrap_tenant(server, "secrets-" + uuid.uuid4().hex[:8], "owner@example.com")
    secrets = Secrets()
    secrets.api_key("bootstrap API key", None, owner.api_key)
    secrets.hunted["bootstrap OIDC token"] = owner.token
    replays: dict[str, tuple[httpx.Response, httpx.Response]] = {}
    try:
        # API keys over REST, with the OIDC token and with an API key.
        bodies: list[dict[str, Any]] = [
            {"name": "ci", "scopes": ["instances"], "permissions": ["read", "write"], "expires_in_days": 30},
            {"name": "reader", "scopes": ["instances", "keys", "teams"], "permissions": ["read"]},
            {"name": "chat", "scopes": ["models"], "permissions": ["read"], "expires_in_days": 1},
        ]
        for body in bodies:
            made = create_api_key(owner.api, body).json()
            secrets.api_key(f"API key {body['name']}", made["id"], made["key"])
        made = create_api_key(owner.key_api, {"name": "from-a-key", "scopes": ["keys"],
                                              "permissions": ["read", "write"], "expires_in_days": 7}).json()
        secrets.api_key("API key made with a key", made["id"], made["key"])

        # With an Idempotency-Key, then replayed.
        idem = {"Idempotency-Key": unique("idem-ak")}
        body = {"name": "idempotent", "scopes": ["instances", "keys"], "permissions": ["read", "write"],
                "expires_in_days": 90}
        first = create_api_key(owner.api, body, **idem)
        replays[API_KEYS] = (first, owner.api.post(API_KEYS, json=body, headers=idem))
        secrets.api_key("idempotent API key", first.json()["id"], first.json()["key"])

        # Over GraphQL.
        made = gql(owner.api, """
            mutation K($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id prefix } } }
        """, {"input": {"name": "graphql", "scopes": ["instances"], "permissions": ["read"], "expiresInDays": 5}}
                   ).json()["data"]["createApiKey"]
        assert made["apiKey"]["prefix"] == made["key"][:SECRET_PART], made
        secrets.api_key("GraphQL API key", made["apiKey"]["id"], made["key"])

        # One is revoked.
        revoked = create_api_key(owner.api, {"name": "revoked", "scopes": ["keys"], "permissions": ["read"]}).json()
        secrets.api_key("revoked API key", revoked["id"], revoked["key"])
        r = owner.api.delete(f"{API_KEYS}/{revoked['id']}")
        assert r.status_code == 200 and "key" not in r.json() and r.json()["revoked_at"], r.text

        # Generated SSH keys: REST, REST with an Idempotency-Key (replayed), GraphQL.
        r = generate(owner.api, "laptop")
        assert r.status_code == 201, r.text
        secrets.private_key("generated SSH key", r.json()["ssh_key"]["id"], r.json()["private_key"])
        idem = {"Idempotency-Key": unique("idem-gen")}
        first = generate(owner.api, "idempotent-laptop", **idem)
        assert first.status_code == 201, first.text
        replays[f"{SSH_KEYS}/generate"] = (first, generate(owner.api, "idempotent-laptop", **idem))
        secrets.private_key("idempotent generated SSH key", first.json()["ssh_key"]["id"],
                            first.json()["private_key"])
        made = gql(owner.api, """
            mutation G { generateSshKey(name: "graphql-laptop") { privateKey sshKey { id } } }
        """).json()["data"]["generateSshKey"]
        secrets.private_key("GraphQL generated SSH key", made["sshKey"]["id"], made["privateKey"])

        # The generated keys grant access to an instance through a group.
        group = new_group(owner.api, "secret-holders", "generated keys")
        for key_id in secrets.private_keys:
            assert add_to_group(owner.api, group["id"], key_id).status_code == 200
        r = owner.api.post(INSTANCES, json={"name": "secret-box", "tier": "mig", "ssh_key_group": group["id"]})
        assert r.status_code == 201, r.text
        inst = r.json()
        wait_status(owner.api, inst["id"], "running")

        # Use every live key once (last_used_at moves), and try a key that never existed.
        for key_id, key in secrets.api_keys.items():
            with server.client(key) as c:
                r = c.get("/api/v1/me")
                expected = 401 if key_id == revoked["id"] else 200
                assert r.status_code == expected, r.text
        forged = "sk-ic-" + base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).decode().rstrip("=")
        secrets.api_key("forged API key", None, forged)
        with server.client(forged) as c:
            assert_error(c.get("/api/v1/me"), 401, "AuthenticationError")
            assert forged not in c.get("/api/v1/api-keys").text

        yield World(owner, secrets, group["id"], inst["id"], revoked["id"], replays)
    finally:
        owner.close()


# -- shown once -------------------------------------------------------------------------------------

def test_replays_return_the_same_resource_without_the_secret(world: World) -> None:
    first, replay = world.replays[API_KEYS]
    # The hunt works on raw JSON bodies: it finds the secret where it is shown, once.
    assert world.secrets.found_in(first.text) == ["idempotent API key", "idempotent API key (after prefix)"]
    assert replay.status_code == 201 and replay.headers.get("idempotent-replayed") == "true", replay.text
    assert replay.json()["id"] == first.json()["id"] and replay.json()["key"] is None, replay.text
    assert {k: v for k, v in replay.json().items() if k != "key"} == \
        {k: v for k, v in first.json().items() if k != "key"}
    assert world.secrets.found_in(replay.text) == []

    first, replay = world.replays[f"{SSH_KEYS}/generate"]
    assert any(label.startswith("idempotent generated SSH key (PEM line") for label in world.secrets.found_in(
        first.text)), first.text
    assert replay.status_code == 201 and replay.headers.get("idempotent-replayed") == "true", replay.text
    assert replay.json() == {"ssh_key": first.json()["ssh_key"], "private_key": None}, replay.text
    assert world.secrets.found_in(replay.text) == []

    # A third time, still nothing; and no second key or key pair was made.
    for path, (first, _) in world.replays.items():
        again = world.owner.api.post(path, content=first.request.content,
                                     headers={"Idempotency-Key": first.headers["idempotency-key"],
                                              "content-type": "application/json"})
        assert again.status_code == 201 and world.secrets.found_in(again.text) == [], again.text
    ak = [k for k in world.owner.api.get(API_KEYS, params={"maxResults": 100}).json()["api_keys"]
          if k["name"] == "idempotent"]
    assert len(ak) == 1
    sk = [k for k in world.owner.api.get(SSH_KEYS, params={"maxResults": 100}).json()["ssh_keys"]
          if k["name"] == "idempotent-laptop"]
    assert len(sk) == 1


# -- read routes ------------------------------------------------------------------------------------

def rest_reads(world: World) -> list[str]:
    return [
        API_KEYS, f"{API_KEYS}?maxResults=2", SSH_KEYS, f"{SSH_KEYS}?maxResults=1", GROUPS,
        f"{GROUPS}/{world.group_id}", "/api/v1/me", INSTANCES, f"{INSTANCES}/{world.instance_id}",
        "/api/v1/teams", "/api/v1/teams/my",
    ]


GRAPHQL_READS = [
    "{ viewer { id email role tenant { id name } teams { role } credentialType scopes permissions } }",
    "{ apiKeys(maxResults: 100) { items { id name prefix scopes permissions createdAt lastUsedAt expiresAt "
    "revokedAt } nextToken } }",
    "{ sshKeys(maxResults: 100) { items { id name publicKey fingerprint keyType bits createdAt } nextToken } }",
    "{ sshKeyGroups { items { id name description keys { id publicKey fingerprint } } nextToken } }",
    "{ instances { items { id name sshKey sshKeyGroup status sshHost sshPort } nextToken } }",
]


def test_list_and_get_routes_never_contain_a_secret(server: Server, world: World) -> None:
    owner = world.owner
    bodies: dict[str, str] = {}
    with server.client(world.secrets.hunted["API key reader"]) as reader_api:
        for label, api in (("token", owner.api), ("bootstrap key", owner.key_api), ("reader key", reader_api)):
            for path in rest_reads(world):
                r = api.get(path)
                assert r.status_code == 200, (label, path, r.text)
                bodies[f"{label} GET {path}"] = r.text
            for query in GRAPHQL_READS:
                r = api.post("/graphql", json={"query": query})
                assert r.status_code == 200 and not r.json().get("errors"), (label, query, r.text)
                bodies[f"{label} graphql {query[:30]}"] = r.text

    # The routes really list what was made (so an empty answer cannot pass).
    listed = owner.api.get(API_KEYS, params={"maxResults": 100}).json()["api_keys"]
    live = {i for i in world.secrets.api_keys if i != world.revoked_id}
    assert live <= {k["id"] for k in listed} and world.revoked_id not in {k["id"] for k in listed}
    by_id = {k["id"]: k for k in listed}
    for key_id in live:
        key = world.secrets.api_keys[key_id]
        assert by_id[key_id]["prefix"] == key[:SECRET_PART] and by_id[key_id]["last_used_at"], by_id[key_id]
    ssh_ids = {k["id"] for k in owner.api.get(SSH_KEYS, params={"maxResults": 100}).json()["ssh_keys"]}
    assert set(world.secrets.private_keys) <= ssh_ids
    group = owner.api.get(f"{GROUPS}/{world.group_id}").json()
    assert {k["id"] for k in group["keys"]} == set(world.secrets.private_keys)

    leaks = {where: found for where, text in bodies.items() if (found := world.secrets.found_in(text))}
    assert leaks == {}, leaks


async def test_events_never_carry_a_secret(server: Server, world: World) -> None:
    owner = world.owner
    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {owner.token}"},
                                 timeout=30) as api, subscribe(server, owner.token, EVENTS_SUB) as stream:
        await arm(stream, api)
        r = await api.post(API_KEYS, json={"name": "watched", "scopes": ["keys"], "permissions": ["read"]})
        assert r.status_code == 201, r.text
        made = r.json()
        world.secrets.api_key("API key made while watched", made["id"], made["key"])
        r = await api.post(f"{SSH_KEYS}/generate", json={"name": "watched-laptop"})
        assert r.status_code == 201, r.text
        world.secrets.private_key("SSH key generated while watched", r.json()["ssh_key"]["id"], r.json()["private_key"])
        assert (await api.delete(f"{API_KEYS}/{made['id']}")).status_code == 200

        created = await stream.until(lambda ev: ev["events"]["type"] == "key.created"
                                     and ev["events"]["resourceId"] == made["id"])
        await stream.until(lambda ev: ev["events"]["type"] == "key.deleted"
                           and ev["events"]["resourceId"] == made["id"])
    assert created["events"]["data"]["prefix"] == made["prefix"], created
    leaks = [(ev["events"]["type"], world.secrets.found_in(str(ev))) for ev in stream.seen
             if world.secrets.found_in(str(ev))]
    assert leaks == [], leaks


# -- the database -----------------------------------------------------------------------------------

def dump_database(server: Server) -> dict[str, list[dict[str, Any]]]:
    async def dump(s: AsyncSession) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for table in Base.metadata.sorted_tables:
            rows = (await s.execute(select(table))).mappings().all()
            out[table.name] = [dict(row) for row in rows]
        return out

    return run_db(server, dump)


def test_database_never_holds_a_plain_secret(server: Server, world: World) -> None:
    tables = dump_database(server)
    assert {"api_keys", "ssh_keys", "idempotency_keys", "events", "sim_pods"} <= set(tables)
    leaks = []
    for name, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                text = value if isinstance(value, str) else repr(value)
                if found := world.secrets.found_in(text):
                    leaks.append((name, column, found))
    assert leaks == [], leaks

    # api_keys holds the SHA-256 digest and the display prefix of each key, nothing more.
    by_hash = {row["key_hash"]: row for row in tables["api_keys"]}
    for key_id, key in world.secrets.api_keys.items():
        digest_row = by_hash.get(hashlib.sha256(key.encode()).hexdigest())
        assert digest_row is not None and digest_row["id"] == key_id, (key_id, digest_row)
        assert digest_row["prefix"] == key[:SECRET_PART], digest_row
    text_columns = {c.name for c in ApiKey.__table__.columns if c.type.python_type is str}
    assert text_columns == {"id", "tenant_id", "account_id", "name", "prefix", "key_hash"}, text_columns

    # Generated SSH keys are stored as their public key only; idempotency records answer null.
    ssh_rows = {row["id"]: row for row in tables["ssh_keys"]}
    for key_id, pem in world.secrets.private_keys.items():
        private = serialization.load_ssh_private_key(pem.encode(), password=None)
        public = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                   serialization.PublicFormat.OpenSSH).decode()
        assert ssh_rows[key_id]["public_key"].split()[:2] == public.split(), ssh_rows[key_id]
    stored = [row["response_body"] for row in tables["idempotency_keys"] if row["response_body"]]
    assert any('"key":null' in body for body in stored) and any('"private_key":null' in body for body in stored)


# -- the log (last: it covers what every test above did) --------------------------------------------

def test_server_log_never_contains_a_secret(server: Server, world: World) -> None:
    # A failing request with a secret in it must not put it in the log either.
    bad = world.owner.api.post(SSH_KEYS, json={"name": "oops", "public_key": world.secrets.private_keys[
        next(iter(world.secrets.private_keys))]})
    assert_error(bad, 400, "ValidationException", field="public_key")
    assert world.secrets.found_in(bad.text) == []
    log = server.log()
    assert "Empty database: created a development owner" in log  # the log is the real one
    assert "POST /api/v1/api-keys" in log  # and at info level: every request line is in it
    assert world.secrets.found_in(log) == []
