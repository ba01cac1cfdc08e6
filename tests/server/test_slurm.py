"""Slurm environments against a real server: the documented curl flow over HTTP and the same over
GraphQL, every bad input (status, error type, field, nothing written), the shared contracts
(dry run, Idempotency-Key, pagination, tenant isolation, team sharing) and GPU contention with
instances on a small inventory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from icgpu.db.tables import SimPod
from icgpu.db.tables_slurm import SlurmEnvironment
from tests.support.contracts import SSH, Caller, assert_error, caller, count_rows
from tests.support.graphql import db_scalars, event_types, gql_data, gql_post
from tests.support.identity import add_member, new_team, sign_in
from tests.support.server import Server, wait_for

SLURM = "/api/v1/slurm-environments"
DOCUMENTED = {"name": "distributed-training", "max_nodes": 4, "gpu_per_node": 1}
FIELDS = {"id", "name", "max_nodes", "gpu_per_node", "gpu_tier", "total_gpus", "gpus_placed", "team_id", "status",
          "status_reason", "ssh_host", "ssh_port", "ssh_user", "hourly_price", "account_id", "created_at",
          "updated_at", "terminated_at"}
GQL_FIELDS = ("id name maxNodes gpuPerNode gpuTier totalGpus gpusPlaced teamId status statusReason sshHost sshPort "
              "sshUser hourlyPrice")
CREATE = ("mutation Create($input: CreateSlurmEnvironmentInput!, $dry: Boolean! = false) "
          "{ createSlurmEnvironment(input: $input, dryRun: $dry) "
          f"{{ dryRun valid slurmEnvironment {{ {GQL_FIELDS} }} }} }}")
DELETE = ("mutation Delete($id: ID!) "
          f"{{ deleteSlurmEnvironment(id: $id) {{ dryRun valid slurmEnvironment {{ {GQL_FIELDS} }} }} }}")
GET = f"query Get($id: ID!) {{ slurmEnvironment(id: $id) {{ {GQL_FIELDS} }} }}"
LIST = ("query List($max: Int, $next: String) "
        f"{{ slurmEnvironments(maxResults: $max, nextToken: $next) {{ items {{ {GQL_FIELDS} }} nextToken }} }}")


@pytest.fixture(scope="module")
def owner(server: Server) -> Iterator[Caller]:
    c = caller(server, "slurm-co", "alice@slurm.example.com")
    yield c
    c.api.close()
    c.key_api.close()


# -- helpers --------------------------------------------------------------------------------------

def get(api: httpx.Client, env_id: str) -> dict[str, Any]:
    r = api.get(f"{SLURM}/{env_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def wait_env(api: httpx.Client, env_id: str, status: str, timeout: float = 20.0) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        env = get(api, env_id)
        return env if env["status"] == status else None

    return dict(wait_for(reached, timeout=timeout, what=f"{env_id} to be {status}"))


def workloads(server: Server, env_id: str) -> list[str]:
    return sorted(db_scalars(server, select(SimPod.instance_id).where(SimPod.instance_id.like(f"{env_id}.%"))))


def available(api: httpx.Client, tier: str) -> int:
    tiers = {t["id"]: t for t in api.get("/api/v1/gpu-tiers").json()["tiers"]}
    return int(tiers[tier]["available"])


def wait_released(server: Server, api: httpx.Client, env_id: str, tier: str, free: int) -> None:
    wait_for(lambda: not workloads(server, env_id) and available(api, tier) == free, timeout=20,
             what=f"{env_id}'s GPUs to be released")


def written(server: Server) -> tuple[int, int]:
    """Environments, and the events a request writes (the reconciler's own come and go meanwhile)."""
    from icgpu.db.tables import Event

    requested = db_scalars(server, select(func.count()).select_from(Event).where(
        Event.type.in_(("slurm.created", "slurm.terminated"))))
    return count_rows(server, SlurmEnvironment), int(requested[0])


# -- the documented flow --------------------------------------------------------------------------

def test_documented_curl_flow(server: Server, owner: Caller) -> None:
    api = owner.api
    free = available(api, "dedicated")
    assert free == 4  # the default inventory: the documented environment takes every dedicated GPU
    r = api.post(SLURM, json=DOCUMENTED)
    assert r.status_code == 201, r.text
    env = r.json()
    assert set(env) == FIELDS
    assert env["id"].startswith("slurm-") and r.headers["location"] == f"{SLURM}/{env['id']}"
    assert (env["name"], env["max_nodes"], env["gpu_per_node"], env["gpu_tier"], env["total_gpus"]) == \
        ("distributed-training", 4, 1, "dedicated", 4)
    assert env["status"] == "pending" and env["ssh_host"] is None and env["team_id"] is None
    assert env["account_id"] == owner.account_id
    assert env["hourly_price"] == pytest.approx(4 * 2.49)

    ready = wait_env(api, env["id"], "ready")
    assert ready["ssh_user"] == "gpuuser" and ready["ssh_host"] == "127.0.0.1"
    assert isinstance(ready["ssh_port"], int) and ready["ssh_port"] > 0
    assert ready["gpus_placed"] == 4 and ready["status_reason"] is None
    assert workloads(server, env["id"]) == [f"{env['id']}.{n}" for n in range(4)]
    assert available(api, "dedicated") == 0

    listed = api.get(SLURM)
    assert listed.status_code == 200 and set(listed.json()) == {"slurm_environments", "nextToken"}
    assert [e["id"] for e in listed.json()["slurm_environments"]] == [env["id"]]
    assert listed.json()["slurm_environments"][0] == get(api, env["id"])
    # The API key is the same account.
    assert owner.key_api.get(f"{SLURM}/{env['id']}").json()["status"] == "ready"

    gone = api.delete(f"{SLURM}/{env['id']}")
    assert gone.status_code == 200, gone.text
    assert gone.json()["status"] == "terminated" and gone.json()["terminated_at"] is not None
    assert gone.json()["ssh_host"] is None
    wait_released(server, api, env["id"], "dedicated", free)
    assert api.get(SLURM).json()["slurm_environments"] == []
    assert get(api, env["id"])["status"] == "terminated"
    assert event_types(server, env["id"]) == ["slurm.created", "slurm.provisioning", "slurm.ready",
                                              "slurm.terminated"]
    # Deleting it again is a state conflict; the name is free again.
    assert_error(api.delete(f"{SLURM}/{env['id']}"), 409, "ConflictException", code="InvalidStateTransition")
    again = api.post(SLURM, json={**DOCUMENTED, "max_nodes": 1, "gpu_tier": "mig"})
    assert again.status_code == 201, again.text
    assert again.json()["gpu_tier"] == "mig"
    assert api.delete(f"{SLURM}/{again.json()['id']}").status_code == 200
    wait_released(server, api, again.json()["id"], "mig", 14)


def test_graphql_flow(server: Server, owner: Caller) -> None:
    api = owner.api
    created = gql_data(api, CREATE, {"input": {"name": "gql-training", "maxNodes": 2, "gpuPerNode": 2}})
    payload = created["createSlurmEnvironment"]
    assert payload["dryRun"] is False and payload["valid"] is True
    env = payload["slurmEnvironment"]
    assert env["id"].startswith("slurm-") and env["status"] == "PENDING"
    assert (env["maxNodes"], env["gpuPerNode"], env["gpuTier"], env["totalGpus"]) == (2, 2, "dedicated", 4)

    def ready() -> dict[str, Any] | None:
        got = gql_data(api, GET, {"id": env["id"]})["slurmEnvironment"]
        return got if got["status"] == "READY" else None

    got = wait_for(ready, timeout=20, what="the environment to be READY")
    assert got["sshUser"] == "gpuuser" and got["sshHost"] and got["sshPort"] and got["gpusPlaced"] == 4
    rest = get(api, env["id"])
    assert (rest["ssh_host"], rest["ssh_port"], rest["status"]) == (got["sshHost"], got["sshPort"], "ready")
    page = gql_data(api, LIST, {"max": 10})["slurmEnvironments"]
    assert [e["id"] for e in page["items"]] == [env["id"]] and page["nextToken"] is None

    deleted = gql_data(api, DELETE, {"id": env["id"]})["deleteSlurmEnvironment"]
    assert deleted["slurmEnvironment"]["status"] == "TERMINATED"
    wait_released(server, api, env["id"], "dedicated", 4)
    err = gql_post(api, DELETE, {"id": env["id"]})["errors"][0]["extensions"]
    assert (err["code"], err["reason"]) == ("ConflictException", "InvalidStateTransition")
    err = gql_post(api, GET, {"id": "slurm-doesnotexist"})["errors"][0]["extensions"]
    assert err["code"] == "ResourceNotFoundException"


# -- bad input ------------------------------------------------------------------------------------

BAD = [
    ({"max_nodes": 4, "gpu_per_node": 1}, "name"),
    ({**DOCUMENTED, "name": "Bad_Name"}, "name"),
    ({**DOCUMENTED, "name": "a" * 64}, "name"),
    ({**DOCUMENTED, "name": "bad\u0000name"}, "name"),
    ({"name": "x", "gpu_per_node": 1}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": 0}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": -1}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": 65}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": "4"}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": 2.5}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": True}, "max_nodes"),
    ({"name": "x", "max_nodes": 1}, "gpu_per_node"),
    ({**DOCUMENTED, "gpu_per_node": 0}, "gpu_per_node"),
    ({**DOCUMENTED, "gpu_per_node": 9}, "gpu_per_node"),
    ({**DOCUMENTED, "gpu_per_node": None}, "gpu_per_node"),
    ({**DOCUMENTED, "gpu_tier": "h100"}, "gpu_tier"),
    ({**DOCUMENTED, "gpu_tier": ""}, "gpu_tier"),
    # Beyond the inventory (default: 4 dedicated GPUs, 14 MIG slices): it would wait forever.
    ({**DOCUMENTED, "max_nodes": 5}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": 3, "gpu_per_node": 2}, "max_nodes"),
    ({**DOCUMENTED, "max_nodes": 1, "gpu_per_node": 5}, "gpu_per_node"),
    ({**DOCUMENTED, "max_nodes": 8, "gpu_per_node": 2, "gpu_tier": "mig"}, "max_nodes"),
    ({**DOCUMENTED, "team_id": "team-doesnotexist"}, "team_id"),
    ({**DOCUMENTED, "team_id": "not a team"}, "team_id"),
    ({**DOCUMENTED, "maxNodes": 4}, "maxNodes"),  # documented names only: snake_case
    ({**DOCUMENTED, "ssh_key": SSH}, "ssh_key"),
]


@pytest.mark.parametrize(("body", "field"), BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD)])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(server: Server, owner: Caller,
                                                                 body: dict[str, Any], field: str) -> None:
    before = written(server)
    for dry in (False, True):
        r = owner.api.post(SLURM, json=body, params={"dryRun": "true"} if dry else {})
        err = assert_error(r, 400, "ValidationException", field=field)
        assert err["message"].startswith(f"{field}:") or field in err["message"], err
    assert written(server) == before


def test_bad_bodies(server: Server, owner: Caller) -> None:
    before = written(server)
    assert_error(owner.api.post(SLURM, content=b"{", headers={"content-type": "application/json"}), 400,
                 "ValidationException", code="MalformedJson")
    assert_error(owner.api.post(SLURM, json=[DOCUMENTED]), 400, "ValidationException")
    assert_error(owner.api.post(SLURM, content=b"name=x", headers={"content-type": "text/plain"}), 415,
                 "ValidationException", code="UnsupportedMediaType")
    assert_error(owner.api.post(SLURM, json=DOCUMENTED, params={"dryRun": "yes"}), 400, "ValidationException")
    assert_error(owner.api.get(SLURM, params={"maxResults": 0}), 400, "ValidationException", field="maxResults")
    assert_error(owner.api.get(SLURM, params={"nextToken": "forged"}), 400, "ValidationException",
                 code="InvalidPaginationToken")
    assert_error(owner.api.get(SLURM, params={"status": "ready"}), 400, "ValidationException",
                 code="UnknownParameter")
    assert written(server) == before


def test_graphql_bad_input_names_the_camel_case_field(server: Server, owner: Caller) -> None:
    before = written(server)
    for variables, field in (
        ({"name": "g", "maxNodes": 0, "gpuPerNode": 1}, "maxNodes"),
        ({"name": "g", "maxNodes": 1, "gpuPerNode": 9}, "gpuPerNode"),
        ({"name": "g", "maxNodes": 1, "gpuPerNode": 1, "gpuTier": "h100"}, "gpuTier"),
        ({"name": "g", "maxNodes": 5, "gpuPerNode": 1}, "max_nodes"),  # the service's rule names its field
        ({"name": "Bad", "maxNodes": 1, "gpuPerNode": 1}, "name"),
    ):
        for dry in (False, True):
            body = gql_post(owner.api, CREATE, {"input": variables, "dry": dry})
            assert body["data"] is None, body
            ext = body["errors"][0]["extensions"]
            assert (ext["code"], ext["status"], ext.get("field")) == ("ValidationException", 400, field), body
    assert written(server) == before


# -- conflicts, not found, dry runs, idempotency, pagination --------------------------------------

def test_name_conflict_not_found_and_isolation(server: Server, owner: Caller) -> None:
    api = owner.api
    first = api.post(SLURM, json={"name": "dup", "max_nodes": 1, "gpu_per_node": 1, "gpu_tier": "timesliced"})
    assert first.status_code == 201, first.text
    before = written(server)
    assert_error(api.post(SLURM, json={"name": "dup", "max_nodes": 1, "gpu_per_node": 1, "gpu_tier": "mig"}),
                 409, "ConflictException", code="ResourceAlreadyExists")
    assert written(server) == before
    env_id = first.json()["id"]
    for bad in ("slurm-doesnotexist", "inst-abc", "slurm-ABC", "x" * 300):
        assert_error(api.get(f"{SLURM}/{bad}"), 404, "ResourceNotFoundException")
        assert_error(api.delete(f"{SLURM}/{bad}"), 404, "ResourceNotFoundException")
    # Another tenant: not found, never forbidden; its list is empty.
    other = caller(server, "slurm-other", "eve@other.example.com")
    assert_error(other.api.get(f"{SLURM}/{env_id}"), 404, "ResourceNotFoundException")
    assert_error(other.api.delete(f"{SLURM}/{env_id}"), 404, "ResourceNotFoundException")
    assert other.api.get(SLURM).json()["slurm_environments"] == []
    # A colleague in the same tenant, in no shared team: not found either.
    colleague = sign_in(server, "slurm-co", "carol@slurm.example.com")
    assert_error(colleague.api.get(f"{SLURM}/{env_id}"), 404, "ResourceNotFoundException")
    assert written(server) == before
    # A key without the clusters scope, or read-only: 403 before anything else.
    scoped = owner.api.post("/api/v1/api-keys", json={"name": "slurm-scoped", "scopes": ["instances"],
                                                      "permissions": ["read", "write"]}).json()["key"]
    readonly = owner.api.post("/api/v1/api-keys", json={"name": "slurm-ro", "scopes": ["clusters"],
                                                        "permissions": ["read"]}).json()["key"]
    with server.client(scoped) as s, server.client(readonly) as ro:
        assert_error(s.get(SLURM), 403, "AccessDeniedException", code="ScopeNotGranted")
        assert_error(s.post(SLURM, json=DOCUMENTED), 403, "AccessDeniedException", code="ScopeNotGranted")
        assert ro.get(f"{SLURM}/{env_id}").status_code == 200
        assert_error(ro.delete(f"{SLURM}/{env_id}"), 403, "AccessDeniedException", code="PermissionNotGranted")
    assert written(server) == before
    assert api.delete(f"{SLURM}/{env_id}").status_code == 200
    other.api.close()
    other.key_api.close()


def test_dry_runs_write_nothing(server: Server, owner: Caller) -> None:
    api = owner.api
    before = written(server)
    r = api.post(SLURM, json=DOCUMENTED, params={"dryRun": "true"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dryRun"] is True and body["valid"] is True and set(body["slurm_environment"]) == FIELDS
    assert body["slurm_environment"]["status"] == "pending" and "location" not in r.headers
    gql = gql_data(api, CREATE, {"input": {"name": "dry", "maxNodes": 1, "gpuPerNode": 1}, "dry": True})
    assert gql["createSlurmEnvironment"]["dryRun"] is True
    assert written(server) == before
    env = api.post(SLURM, json={"name": "dry-delete", "max_nodes": 1, "gpu_per_node": 1, "gpu_tier": "timesliced"})
    env_id = env.json()["id"]
    mid = written(server)
    r = api.delete(f"{SLURM}/{env_id}", params={"dryRun": "true"})
    assert r.status_code == 200 and r.json()["slurm_environment"]["status"] == "terminated"
    assert written(server) == mid and get(api, env_id)["status"] != "terminated"
    assert api.delete(f"{SLURM}/{env_id}").status_code == 200


def test_idempotency_key_replays_the_create(server: Server, owner: Caller) -> None:
    api = owner.api
    body = {"name": "idem", "max_nodes": 1, "gpu_per_node": 1, "gpu_tier": "timesliced"}
    first = api.post(SLURM, json=body, headers={"Idempotency-Key": "slurm-idem-1"})
    assert first.status_code == 201, first.text
    before = written(server)
    again = api.post(SLURM, json=body, headers={"Idempotency-Key": "slurm-idem-1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    assert_error(api.post(SLURM, json={**body, "max_nodes": 2}, headers={"Idempotency-Key": "slurm-idem-1"}),
                 409, "ConflictException", code="IdempotencyKeyReused")
    assert written(server) == before
    assert api.delete(f"{SLURM}/{first.json()['id']}").status_code == 200


def test_pagination(server: Server, owner: Caller) -> None:
    api = owner.api
    made = [api.post(SLURM, json={"name": f"page-{i}", "max_nodes": 1, "gpu_per_node": 1,
                                  "gpu_tier": "timesliced"}).json()["id"] for i in range(3)]
    seen: list[str] = []
    token = None
    for _ in range(5):
        params: dict[str, Any] = {"maxResults": 2}
        if token:
            params["nextToken"] = token
        page = api.get(SLURM, params=params).json()
        seen += [e["id"] for e in page["slurm_environments"]]
        token = page["nextToken"]
        if token is None:
            break
    assert seen == made
    gql_page = gql_data(api, LIST, {"max": 2})["slurmEnvironments"]
    rest = gql_data(api, LIST, {"max": 2, "next": gql_page["nextToken"]})["slurmEnvironments"]
    assert [e["id"] for e in gql_page["items"] + rest["items"]] == made
    for env_id in made:
        assert api.delete(f"{SLURM}/{env_id}").status_code == 200


def test_team_sharing(server: Server, owner: Caller) -> None:
    creator = sign_in(server, "slurm-co", "dave@slurm.example.com")
    viewer = sign_in(server, "slurm-co", "vic@slurm.example.com")
    outsider = sign_in(server, "slurm-co", "olga@slurm.example.com")
    team = new_team(owner.api, "hpc")
    for person, role in ((creator, "member"), (viewer, "viewer")):
        assert add_member(owner.api, team["id"], person.id, role).status_code == 201
    r = creator.api.post(SLURM, json={"name": "shared", "max_nodes": 1, "gpu_per_node": 1,
                                      "gpu_tier": "timesliced", "team_id": team["id"]})
    assert r.status_code == 201 and r.json()["team_id"] == team["id"], r.text
    env_id = r.json()["id"]
    # The viewer cannot share a new one with the team; the outsider neither.
    for person in (viewer, outsider):
        assert_error(person.api.post(SLURM, json={"name": "nope", "max_nodes": 1, "gpu_per_node": 1,
                                                  "team_id": team["id"]}), 403, "AccessDeniedException")
    # Everyone in the team sees it; the outsider does not.
    assert [e["id"] for e in viewer.api.get(SLURM).json()["slurm_environments"]] == [env_id]
    assert get(owner.api, env_id)["team_id"] == team["id"]
    assert_error(outsider.api.get(f"{SLURM}/{env_id}"), 404, "ResourceNotFoundException")
    assert outsider.api.get(SLURM).json()["slurm_environments"] == []
    # A viewer may not delete it; the team's owner may.
    assert_error(viewer.api.delete(f"{SLURM}/{env_id}"), 403, "AccessDeniedException", code="TeamRoleTooLow")
    assert owner.api.delete(f"{SLURM}/{env_id}").status_code == 200
    assert "slurm.terminated" in event_types(server, env_id)


# -- contention on a small inventory ----------------------------------------------------------------

def test_waits_for_gpus_held_by_instances(tmp_path: Path) -> None:
    srv = Server(tmp=tmp_path, extra_env={"ICGPU_LOCAL_INVENTORY": "dedicated=2"}).start()
    try:
        boss = caller(srv, "contend", "boss@contend.example.com")
        api = boss.api
        insts = []
        for i in range(2):
            r = api.post("/api/v1/instances", json={"name": f"hold-{i}", "tier": "dedicated", "ssh_key": SSH,
                                                    "storage_gb": 10})
            assert r.status_code == 201, r.text
            insts.append(r.json()["id"])
        for inst in insts:
            wait_for(lambda inst=inst: api.get(f"/api/v1/instances/{inst}").json()["status"] == "running",
                     timeout=20, what=f"{inst} running")
        r = api.post(SLURM, json={"name": "waits", "max_nodes": 2, "gpu_per_node": 1})
        assert r.status_code == 201, r.text
        env_id = r.json()["id"]
        # The reconciler has looked (its reason says so) and placed nothing.
        wait_for(lambda: get(api, env_id)["status_reason"] == "waiting for 2 free dedicated GPUs (0 of 2 placed)",
                 timeout=20, what="the reconciler to report the wait")
        assert workloads(srv, env_id) == [] and get(api, env_id)["status"] == "pending"
        # One GPU frees: still not enough for the whole environment, which takes none of it.
        assert api.post(f"/api/v1/instances/{insts[0]}/stop").status_code == 200
        wait_for(lambda: available(api, "dedicated") == 1, timeout=20, what="one free GPU")
        deadline = time.monotonic() + 1.5  # bounded: 15 reconcile passes at the test interval
        while time.monotonic() < deadline:
            env = get(api, env_id)
            assert env["status"] == "pending" and env["gpus_placed"] == 0, env
            assert workloads(srv, env_id) == []
            time.sleep(0.1)
        # Both free: the environment takes them and becomes ready.
        assert api.post(f"/api/v1/instances/{insts[1]}/stop").status_code == 200
        ready = wait_env(api, env_id, "ready")
        assert ready["gpus_placed"] == 2 and ready["ssh_user"] == "gpuuser"
        assert available(api, "dedicated") == 0
        # An instance started now waits for the environment's GPUs; deleting it frees them.
        assert api.post(f"/api/v1/instances/{insts[0]}/start").status_code == 200
        assert api.delete(f"{SLURM}/{env_id}").status_code == 200
        wait_for(lambda: api.get(f"/api/v1/instances/{insts[0]}").json()["status"] == "running", timeout=20,
                 what="the instance to get the released GPU")
        assert workloads(srv, env_id) == []
        boss.api.close()
        boss.key_api.close()
    finally:
        srv.stop()


def test_gpu_limit_counts_the_environment(tmp_path: Path) -> None:
    srv = Server(tmp=tmp_path, extra_env={"ICGPU_TENANT_GPU_LIMIT": "3", "ICGPU_RUN_WORKERS": "false"}).start()
    try:
        me = caller(srv, "limited", "lim@limited.example.com")
        before = written(srv)
        for dry in (False, True):
            r = me.api.post(SLURM, json={**DOCUMENTED, "max_nodes": 4}, params={"dryRun": "true"} if dry else {})
            assert_error(r, 409, "ConflictException", code="GpuQuotaExceeded")
        assert written(srv) == before
        made = me.api.post(SLURM, json={"name": "fits", "max_nodes": 1, "gpu_per_node": 2})
        assert made.status_code == 201, made.text
        view = me.api.get("/api/v1/quotas").json()["gpus"]
        assert (view["used"], view["remaining"], view["by_family"]["slurm"]) == (2, 1, 2)
        assert_error(me.api.post(SLURM, json={"name": "more", "max_nodes": 2, "gpu_per_node": 1}), 409,
                     "ConflictException", code="GpuQuotaExceeded")
        assert me.api.delete(f"{SLURM}/{made.json()['id']}").status_code == 200
        assert me.api.get("/api/v1/quotas").json()["gpus"]["by_family"]["slurm"] == 0
        me.api.close()
        me.key_api.close()
    finally:
        srv.stop()
