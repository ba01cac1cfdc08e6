"""REST routes: dryRun on every write (preview content, nothing written, no event, not recorded
under Idempotency-Key, true/false only), the routes added for issue 6, and /me as GraphQL viewer."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from icgpu.api import errors
from icgpu.api.rest.deps import DryRun
from icgpu.api.rest.route import CheckedRoute
from icgpu.app import create_app
from icgpu.settings import Settings
from tests.support.auth import db_counts
from tests.support.contracts import SSH, assert_error, wait_status
from tests.support.graphql import gql_data
from tests.support.identity import members_path, sign_in
from tests.support.server import Server
from tests.support.ssh_keys import crypto_pair
from tests.support.tenants import Tenant

INST = "/api/v1/instances"
TEAMS = "/api/v1/teams"
KEYS = "/api/v1/api-keys"
SSH_KEYS = "/api/v1/ssh-keys"
GROUPS = "/api/v1/ssh-key-groups"
DRY = {"dryRun": "true"}


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text}"
    return dict(r.json())


def preview(r: httpx.Response, resource: str) -> dict[str, Any]:
    """A dry run's answer: 200 {dryRun: true, valid: true, <resource>: ...} and nothing else."""
    body = ok(r)
    assert set(body) == {"dryRun", "valid", resource}, body
    assert body["dryRun"] is True and body["valid"] is True, body
    assert "location" not in r.headers and "idempotent-replayed" not in r.headers
    return dict(body[resource])


def state(server: Server, t: Tenant, team_id: str, group_id: str) -> dict[str, Any]:
    """Everything a write in this tenant could change, as the API and the database show it."""
    api = t.api
    return {
        "instances": ok(api.get(INST, params={"maxResults": 100}))["instances"],
        "teams": ok(api.get(TEAMS, params={"maxResults": 100}))["teams"],
        "members": ok(api.get(members_path(team_id), params={"maxResults": 100}))["members"],
        "keys": ok(api.get(KEYS, params={"maxResults": 100}))["api_keys"],
        "ssh": ok(api.get(SSH_KEYS, params={"maxResults": 100}))["ssh_keys"],
        "groups": ok(api.get(GROUPS, params={"maxResults": 100}))["ssh_key_groups"],
        "rows": db_counts(server, t.name),
    }


def test_dry_run_on_every_write_previews_and_changes_nothing(server: Server, alice: Tenant) -> None:
    api = alice.api
    inst = ok(api.post(INST, json={"name": uid("dry"), "tier": "mig", "ssh_key": SSH}), 201)
    running = wait_status(api, inst["id"], "running")
    team = ok(api.post(TEAMS, json={"name": uid("team")}), 201)
    bob = sign_in(server, alice.name, f"{uid('bob')}@example.com")
    carol = sign_in(server, alice.name, f"{uid('carol')}@example.com")
    member = ok(api.post(members_path(team["id"]), json={"account_id": bob.id, "role": "viewer"}), 201)
    key = ok(api.post(KEYS, json={"name": uid("key"), "scopes": ["instances"]}), 201)
    ssh = ok(api.post(SSH_KEYS, json={"name": uid("ssh"), "public_key": SSH}), 201)
    group = ok(api.post(GROUPS, json={"name": uid("grp")}), 201)
    before = state(server, alice, team["id"], group["id"])

    # instances
    new = preview(api.post(INST, params=DRY, json={"name": "dry-new", "tier": "dedicated", "storage_gb": 20}),
                  "instance")
    assert new["id"].startswith("inst-") and new["status"] == "pending" and new["storage_gb"] == 20
    assert_error(api.get(f"{INST}/{new['id']}"), 404, "ResourceNotFoundException")  # the id was not reserved
    renamed = preview(api.patch(f"{INST}/{inst['id']}", params=DRY, json={"name": "dry-renamed"}), "instance")
    assert renamed["name"] == "dry-renamed" and renamed["id"] == inst["id"]
    stopping = preview(api.post(f"{INST}/{inst['id']}/stop", params=DRY), "instance")
    assert stopping["status"] == "stopping"
    gone = preview(api.delete(f"{INST}/{inst['id']}", params=DRY), "instance")
    assert gone["status"] == "terminated" and gone["terminated_at"]
    # The state machine still answers: a running instance cannot start or be requeued.
    assert_error(api.post(f"{INST}/{inst['id']}/start", params=DRY), 409, "ConflictException",
                 code="InvalidStateTransition")
    assert_error(api.post(f"{INST}/{inst['id']}/requeue", params=DRY), 409, "ConflictException",
                 code="InvalidStateTransition")

    # teams and members
    t2 = preview(api.post(TEAMS, params=DRY, json={"name": "dry-team"}), "team")
    assert t2["name"] == "dry-team" and t2["role"] == "owner"
    added = preview(api.post(members_path(team["id"]), params=DRY, json={"email": carol.email, "role": "admin"}),
                    "member")
    assert added["account_id"] == carol.id and added["role"] == "admin" and added["team_id"] == team["id"]
    changed = preview(api.patch(members_path(team["id"], member["id"]), params=DRY, json={"role": "member"}),
                      "member")
    assert changed["role"] == "member" and changed["id"] == member["id"]
    removed = preview(api.delete(members_path(team["id"], member["id"]), params=DRY), "member")
    assert removed["id"] == member["id"]

    # API keys: a dry-run create shows no secret
    k2 = preview(api.post(KEYS, params=DRY, json={"name": "dry-key", "scopes": ["teams"]}), "api_key")
    assert k2["scopes"] == ["teams"] and "key" not in k2
    revoked = preview(api.delete(f"{KEYS}/{key['id']}", params=DRY), "api_key")
    assert revoked["id"] == key["id"] and revoked["revoked_at"]

    # SSH keys and groups
    fresh_key = crypto_pair("ed25519").public
    up = preview(api.post(SSH_KEYS, params=DRY, json={"name": "dry-ssh", "public_key": fresh_key}), "ssh_key")
    assert up["fingerprint"].startswith("SHA256:") and up["key_type"] == "ssh-ed25519"
    gen = api.post(f"{SSH_KEYS}/generate", params=DRY, json={"name": "dry-gen"})
    assert "private_key" not in gen.text and preview(gen, "ssh_key")["name"] == "dry-gen"
    assert preview(api.delete(f"{SSH_KEYS}/{ssh['id']}", params=DRY), "ssh_key")["id"] == ssh["id"]
    g2 = preview(api.post(GROUPS, params=DRY, json={"name": "dry-grp"}), "ssh_key_group")
    assert g2["name"] == "dry-grp" and g2["keys"] == []
    with_key = preview(api.post(f"{GROUPS}/{group['id']}/keys", params=DRY, json={"ssh_key_id": ssh["id"]}),
                       "ssh_key_group")
    assert [k["id"] for k in with_key["keys"]] == [ssh["id"]]
    assert preview(api.delete(f"{GROUPS}/{group['id']}", params=DRY), "ssh_key_group")["id"] == group["id"]

    assert state(server, alice, team["id"], group["id"]) == before
    assert ok(api.get(f"{INST}/{inst['id']}"))["status"] == running["status"] == "running"
    ok(api.get(f"{KEYS}/{key['id']}"))
    ok(api.get(f"{SSH_KEYS}/{ssh['id']}"))


def test_dry_run_is_not_recorded_under_the_idempotency_key(server: Server, alice: Tenant) -> None:
    api = alice.api
    k = uid("idem")
    body = {"name": uid("idem-team")}
    for _ in range(2):  # a dry run is never replayed
        r = api.post(TEAMS, params=DRY, json=body, headers={"Idempotency-Key": k})
        preview(r, "team")
        assert r.headers["idempotency-key"] == k
    real = api.post(TEAMS, json=body, headers={"Idempotency-Key": k})
    created = ok(real, 201)
    assert "idempotent-replayed" not in real.headers and created["id"].startswith("team-")
    again = api.post(TEAMS, json=body, headers={"Idempotency-Key": k})
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == created
    # Once the real call holds the key, a dry run with it is another request: 409.
    assert_error(api.post(TEAMS, params=DRY, json=body, headers={"Idempotency-Key": k}), 409,
                 "ConflictException", code="IdempotencyKeyReused")
    # The same holds for a non-create write (instance stop).
    inst = ok(api.post(INST, json={"name": uid("idem"), "tier": "mig"}), 201)
    k2 = uid("idem")
    preview(api.post(f"{INST}/{inst['id']}/stop", params=DRY, headers={"Idempotency-Key": k2}), "instance")
    stopped = ok(api.post(f"{INST}/{inst['id']}/stop", headers={"Idempotency-Key": k2}))
    assert stopped["status"] == "stopping"


def test_dry_run_is_true_or_false_only(server: Server, alice: Tenant) -> None:
    api = alice.api
    inst = ok(api.post(INST, json={"name": uid("flag"), "tier": "mig"}), 201)
    wait_status(api, inst["id"], "running")
    before = db_counts(server, alice.name)
    writes = [
        lambda p: api.post(INST, params=p, json={"name": uid("x"), "tier": "mig"}),
        lambda p: api.post(f"{INST}/{inst['id']}/stop", params=p),
        lambda p: api.delete(f"{INST}/{inst['id']}", params=p),
        lambda p: api.post(TEAMS, params=p, json={"name": uid("t")}),
        lambda p: api.post(SSH_KEYS + "/generate", params=p, json={"name": uid("g")}),
    ]
    for call in writes:
        for bad in ("maybe", "TRUE", "1", "", "yes"):
            assert_error(call({"dryRun": bad}), 400, "ValidationException", field="dryRun")
        assert_error(call([("dryRun", "true"), ("dryRun", "false")]), 400, "ValidationException", field="dryRun")
    after = db_counts(server, alice.name)
    assert after == before
    assert ok(api.get(f"{INST}/{inst['id']}"))["status"] != "terminated"
    # false is an ordinary call
    assert ok(api.post(TEAMS, params={"dryRun": "false"}, json={"name": uid("real")}), 201)["id"]


def test_a_write_route_must_declare_dry_run_or_it_refuses_it() -> None:
    """By construction: a write handler without the DryRun dependency answers dryRun=true with 400."""
    router = APIRouter(route_class=CheckedRoute)
    calls: list[bool] = []

    @router.post("/plain")
    async def plain() -> dict[str, Any]:
        calls.append(False)
        return {"done": True}

    @router.post("/honours")
    async def honours(dry_run: DryRun) -> dict[str, Any]:
        calls.append(dry_run)
        return {"dry": dry_run}

    app = FastAPI()
    errors.install(app)
    app.include_router(router)
    with TestClient(app) as client:
        r = client.post("/plain", params=DRY)
        assert r.status_code == 400 and r.json()["error"]["code"] == "DryRunNotSupported", r.text
        assert r.json()["error"]["field"] == "dryRun"
        assert calls == []
        assert client.post("/plain", params={"dryRun": "false"}).json() == {"done": True}
        assert client.post("/honours", params=DRY).json() == {"dry": True}
        assert client.post("/honours").json() == {"dry": False}
    assert calls == [False, True, False]


def test_every_api_route_gets_the_checks(tmp_path: Any) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    found = []
    for ctx in iter_route_contexts(app.routes):
        path = ctx.path_format or ""
        if path.startswith("/api/v1/"):
            route = ctx.original_route
            assert isinstance(route, CheckedRoute), path
            if route.is_write:
                assert route.honours_dry_run, f"{path} neither honours dryRun nor should it be refused here"
            found.append(path)
    assert len(found) >= 30


# -- new routes ---------------------------------------------------------------------------------------

def test_get_ssh_key_by_id(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    key = ok(alice.api.post(SSH_KEYS, json={"name": uid("ssh"), "public_key": SSH}), 201)
    assert ok(alice.api.get(f"{SSH_KEYS}/{key['id']}")) == key
    assert ok(alice.key_api.get(f"{SSH_KEYS}/{key['id']}")) == key
    other: Tenant = tenant_factory()
    colleague = sign_in(server, alice.name, f"{uid('col')}@example.com")
    for api in (other.api, colleague.api):
        assert_error(api.get(f"{SSH_KEYS}/{key['id']}"), 404, "ResourceNotFoundException")
    assert_error(alice.api.get(f"{SSH_KEYS}/key-doesnotexist"), 404, "ResourceNotFoundException")
    ok(alice.api.delete(f"{SSH_KEYS}/{key['id']}"))
    assert_error(alice.api.get(f"{SSH_KEYS}/{key['id']}"), 404, "ResourceNotFoundException")


def test_delete_ssh_key_group(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    key = ok(alice.api.post(SSH_KEYS, json={"name": uid("ssh"), "public_key": SSH}), 201)
    group = ok(alice.api.post(GROUPS, json={"name": uid("grp")}), 201)
    ok(alice.api.post(f"{GROUPS}/{group['id']}/keys", json={"ssh_key_id": key["id"]}))
    other: Tenant = tenant_factory()
    assert_error(other.api.delete(f"{GROUPS}/{group['id']}"), 404, "ResourceNotFoundException")
    deleted = ok(alice.api.delete(f"{GROUPS}/{group['id']}"))
    assert deleted["id"] == group["id"] and [k["id"] for k in deleted["keys"]] == [key["id"]]
    assert_error(alice.api.get(f"{GROUPS}/{group['id']}"), 404, "ResourceNotFoundException")
    assert_error(alice.api.delete(f"{GROUPS}/{group['id']}"), 404, "ResourceNotFoundException")
    assert ok(alice.api.get(f"{SSH_KEYS}/{key['id']}"))["id"] == key["id"]  # the keys stay


def test_get_api_key_by_id_and_revoked_is_404(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    key = ok(alice.api.post(KEYS, json={"name": uid("k"), "scopes": ["instances"]}), 201)
    got = ok(alice.api.get(f"{KEYS}/{key['id']}"))
    assert got == {k: v for k, v in key.items() if k != "key"} and "key" not in got
    other: Tenant = tenant_factory()
    assert_error(other.api.get(f"{KEYS}/{key['id']}"), 404, "ResourceNotFoundException")
    ok(alice.api.delete(f"{KEYS}/{key['id']}"))
    assert_error(alice.api.get(f"{KEYS}/{key['id']}"), 404, "ResourceNotFoundException")


def test_rename_instance(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    api = alice.api
    a = ok(api.post(INST, json={"name": uid("a"), "tier": "mig"}), 201)
    b = ok(api.post(INST, json={"name": uid("b"), "tier": "mig"}), 201)
    new_name = uid("renamed")
    renamed = ok(api.patch(f"{INST}/{a['id']}", json={"name": new_name}))
    assert renamed["name"] == new_name and renamed["id"] == a["id"]
    assert ok(api.get(f"{INST}/{a['id']}"))["name"] == new_name
    assert_error(api.patch(f"{INST}/{a['id']}", json={"name": b["name"]}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    assert_error(api.patch(f"{INST}/{a['id']}", json={"name": "Not Valid"}), 400, "ValidationException", field="name")
    assert_error(api.patch(f"{INST}/{a['id']}", json={"tier": "dedicated"}), 400, "ValidationException", field="tier")
    other: Tenant = tenant_factory()
    assert_error(other.api.patch(f"{INST}/{a['id']}", json={"name": uid("x")}), 404, "ResourceNotFoundException")
    assert ok(api.get(f"{INST}/{a['id']}"))["name"] == new_name


def test_list_instances_by_status(server: Server, alice: Tenant) -> None:
    api = alice.api
    run = ok(api.post(INST, json={"name": uid("run"), "tier": "mig"}), 201)
    wait_status(api, run["id"], "running")
    stop = ok(api.post(INST, json={"name": uid("stop"), "tier": "mig"}), 201)
    ok(api.post(f"{INST}/{stop['id']}/stop"))
    wait_status(api, stop["id"], "stopped")
    gone = ok(api.post(INST, json={"name": uid("gone"), "tier": "mig"}), 201)
    ok(api.delete(f"{INST}/{gone['id']}"))

    def ids(status: str | None) -> set[str]:
        params = {"status": status} if status else {}
        return {i["id"] for i in ok(api.get(INST, params=params))["instances"]}

    assert ids("running") == {run["id"]}
    assert ids("stopped") == {stop["id"]}
    assert ids("terminated") == {gone["id"]}
    assert ids(None) == {run["id"], stop["id"]}
    assert all(i["status"] == "running" for i in ok(api.get(INST, params={"status": "running"}))["instances"])
    assert_error(api.get(INST, params={"status": "sleeping"}), 400, "ValidationException", field="status")


def test_add_member_by_email(server: Server, alice: Tenant) -> None:
    api = alice.api
    team = ok(api.post(TEAMS, json={"name": uid("team")}), 201)
    dora = sign_in(server, alice.name, f"{uid('dora')}@example.com")
    m = ok(api.post(members_path(team["id"]), json={"email": dora.email.upper(), "role": "member"}), 201)
    assert m["account_id"] == dora.id and m["role"] == "member" and m["email"] == dora.email
    assert_error(api.post(members_path(team["id"]), json={"email": dora.email}), 409, "ConflictException")
    assert_error(api.post(members_path(team["id"]), json={"email": "nobody@example.com"}), 404,
                 "ResourceNotFoundException")
    eve = sign_in(server, alice.name, f"{uid('eve')}@example.com")
    assert_error(api.post(members_path(team["id"]), json={"email": eve.email, "account_id": eve.id}), 400,
                 "ValidationException")
    assert_error(api.post(members_path(team["id"]), json={"role": "member"}), 400, "ValidationException")
    assert ok(api.post(members_path(team["id"]), json={"account_id": eve.id}), 201)["role"] == "member"


# -- /me ------------------------------------------------------------------------------------------------

VIEWER = """{ viewer { id email role tenant { id name }
  teams { role team { id name description createdBy createdAt role } }
  credentialType apiKeyId scopes permissions } }"""


def snake(value: Any) -> Any:
    """GraphQL's answer in REST's spelling: snake_case keys, lower-case enum values."""
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): snake(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake(v) for v in value]
    if isinstance(value, str) and value in {"OWNER", "ADMIN", "MEMBER", "VIEWER", "OIDC", "API_KEY"}:
        return value.lower()
    return value


def test_me_mirrors_the_graphql_viewer(server: Server, alice: Tenant) -> None:
    team = ok(alice.api.post(TEAMS, json={"name": uid("me-team"), "description": "for /me"}), 201)
    frank = sign_in(server, alice.name, f"{uid('frank')}@example.com")
    ok(alice.api.post(members_path(team["id"]), json={"account_id": frank.id, "role": "viewer"}), 201)
    key = ok(alice.api.post(KEYS, json={"name": uid("k"), "scopes": ["teams", "instances"],
                                       "permissions": ["read"]}), 201)
    with server.client(key["key"]) as key_api:
        callers = [alice.api, alice.key_api, frank.api, key_api]
        for api in callers:
            rest = ok(api.get("/api/v1/me"))
            graphql = snake(gql_data(api, VIEWER)["viewer"])
            assert rest == graphql, (rest, graphql)
        limited = ok(key_api.get("/api/v1/me"))
    assert limited["credential_type"] == "api_key" and limited["api_key_id"] == key["id"]
    assert limited["scopes"] == ["instances", "teams"] and limited["permissions"] == ["read"]
    theirs = ok(frank.api.get("/api/v1/me"))
    assert [(m["role"], m["team"]["id"], m["team"]["role"]) for m in theirs["teams"]] == [
        ("viewer", team["id"], "viewer")]
    assert theirs["credential_type"] == "oidc" and theirs["tenant"]["name"] == alice.name
