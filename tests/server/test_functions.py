"""GPU functions and their runs over HTTP: the documented curl flow (REST, then GraphQL), real
execution on the host (input on stdin, env vars, output, logs), write-only secrets, the timeout that
kills the whole process tree, cancel, the shared GPU inventory, and every bad input."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from icgpu.db.tables import Event
from icgpu.db.tables_functions import FunctionRun, GpuFunction
from tests.support.contracts import assert_error, count_rows
from tests.support.graphql import gql_post
from tests.support.processes import exited
from tests.support.server import Server, wait_for
from tests.support.tenants import Tenant

FUNCTIONS = "/api/v1/functions"
FINAL = ("succeeded", "failed", "timed_out", "cancelled")
ECHO = ("python3 -c 'import json,os,sys; d=json.load(sys.stdin); "
        "print(\"working\", file=sys.stderr); "
        "print(json.dumps({\"top_k\": d[\"top_k\"], \"model\": os.environ[\"MODEL_PATH\"]}))'")


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def documented_body(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": "registry.gpu.local/myteam/classifier:v1", "entrypoint": ECHO,
            "gpuTier": "timesliced", "timeoutSeconds": 300, "envVars": {"MODEL_PATH": "/models/resnet50.pt"},
            **extra}


def new_function(api: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("name", uid("fn"))
    body.setdefault("image", "registry.gpu.local/t/app:v1")
    r = api.post(FUNCTIONS, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def start_run(api: httpx.Client, fn_id: str, payload: Any = None) -> dict[str, Any]:
    r = api.post(f"{FUNCTIONS}/{fn_id}/run", json={"input": payload or {}})
    assert r.status_code == 202, r.text
    run: dict[str, Any] = r.json()
    assert r.headers["Location"] == f"{FUNCTIONS}/{fn_id}/runs/{run['id']}"
    return run


def wait_run(api: httpx.Client, fn_id: str, run_id: str, statuses: tuple[str, ...] = FINAL,
             timeout: float = 30.0) -> dict[str, Any]:
    def look() -> dict[str, Any] | None:
        r = api.get(f"{FUNCTIONS}/{fn_id}/runs/{run_id}")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body if body["status"] in statuses else None

    return dict(wait_for(look, timeout=timeout, what=f"run {run_id} in {statuses}"))


def event_types(server: Server, resource_id: str) -> list[str]:
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    async def run() -> list[str]:
        engine = create_async_engine(server.db_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(select(Event.type).where(Event.resource_id == resource_id)
                                          .order_by(Event.seq))
                return [str(r[0]) for r in rows]
        finally:
            await engine.dispose()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)


def all_events_text(server: Server) -> str:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    async def run() -> str:
        engine = create_async_engine(server.db_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(select(Event.type, Event.data))
                return json.dumps([[r[0], r[1]] for r in rows])
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)




# -- the documented flow ------------------------------------------------------------------------------

def test_documented_flow_over_rest(server: Server, alice: Tenant) -> None:
    api = alice.api
    name = uid("image-classifier")
    r = api.post(FUNCTIONS, json=documented_body(name))
    assert r.status_code == 201, r.text
    fn = r.json()
    assert fn["id"].startswith("fn-") and r.headers["Location"] == f"{FUNCTIONS}/{fn['id']}"
    assert (fn["name"], fn["gpu_tier"], fn["timeout_seconds"], fn["status"]) == (name, "timesliced", 300, "active")
    assert fn["env_vars"] == {"MODEL_PATH": "/models/resnet50.pt"} and fn["secret_env_var_names"] == []
    assert fn["price_per_hour"] == 0.39

    r = api.post(f"{FUNCTIONS}/{fn['id']}/run", json={"input": {"image_url": "https://example.com/photo.jpg",
                                                                 "top_k": 5}})
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["id"].startswith("run-") and run["status"] == "queued" and run["function_id"] == fn["id"]
    assert r.headers["Location"] == f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}"

    done = wait_run(api, fn["id"], run["id"])
    assert done["status"] == "succeeded", done
    assert done["output"] == {"top_k": 5, "model": "/models/resnet50.pt"}
    assert done["logs"] == "working\n" and done["exit_code"] == 0 and done["error"] is None
    assert done["input"] == {"image_url": "https://example.com/photo.jpg", "top_k": 5}
    assert done["started_at"] and done["finished_at"] and done["duration_seconds"] is not None
    expected = round(0.39 * done["duration_seconds"] / 3600, 6)
    assert abs(done["cost"] - expected) <= 2e-6, (done["cost"], expected)

    listed = api.get(FUNCTIONS).json()
    assert fn["id"] in [f["id"] for f in listed["functions"]] and "nextToken" in listed
    runs = api.get(f"{FUNCTIONS}/{fn['id']}/runs").json()
    assert [x["id"] for x in runs["runs"]] == [run["id"]] and runs["nextToken"] is None
    assert api.get(f"{FUNCTIONS}/{fn['id']}/runs", params={"status": "succeeded"}).json()["runs"][0]["id"] == run["id"]
    assert api.get(f"{FUNCTIONS}/{fn['id']}/runs", params={"status": "failed"}).json()["runs"] == []
    assert event_types(server, run["id"]) == ["function.run_queued", "function.run_started", "function.completed"]

    r = api.delete(f"{FUNCTIONS}/{fn['id']}")
    assert r.status_code == 200 and r.json()["status"] == "deleted", r.text
    assert fn["id"] not in [f["id"] for f in api.get(FUNCTIONS).json()["functions"]]
    assert api.get(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}").json()["status"] == "succeeded"
    assert_error(api.post(f"{FUNCTIONS}/{fn['id']}/run", json={"input": {}}), 409, "ConflictException",
                 code="InvalidStateTransition")
    assert event_types(server, fn["id"]) == ["function.created", "function.deleted"]


def test_snake_case_names_update_and_a_failing_run(server: Server, alice: Tenant) -> None:
    fn = new_function(alice.api, entrypoint="echo nope >&2; exit 3", gpu_tier="mig", timeout_seconds=60,
                      env_vars={"A": "1"})
    assert (fn["gpu_tier"], fn["timeout_seconds"], fn["env_vars"]) == ("mig", 60, {"A": "1"})
    r = alice.api.patch(f"{FUNCTIONS}/{fn['id']}", json={"timeoutSeconds": 30, "envVars": {"B": "2"}})
    assert r.status_code == 200, r.text
    assert (r.json()["timeout_seconds"], r.json()["env_vars"], r.json()["gpu_tier"]) == (30, {"B": "2"}, "mig")
    run = start_run(alice.api, fn["id"])
    done = wait_run(alice.api, fn["id"], run["id"])
    assert (done["status"], done["exit_code"], done["logs"]) == ("failed", 3, "nope\n"), done
    assert done["error"] == "exited with code 3" and done["timeout_seconds"] == 30
    assert event_types(server, run["id"])[-1] == "function.failed"


def test_plain_text_output_and_dry_runs(server: Server, alice: Tenant) -> None:
    fn = new_function(alice.api, entrypoint="cat; echo; echo not json")
    r = alice.api.post(f"{FUNCTIONS}/{fn['id']}/run", params={"dryRun": "true"}, json={"input": {"x": 1}})
    assert r.status_code == 200 and r.json()["dryRun"] is True and r.json()["run"]["status"] == "queued", r.text
    assert count_rows(server, FunctionRun, function_id=fn["id"]) == 0
    r = alice.api.post(FUNCTIONS, params={"dryRun": "true"}, json={"name": uid("dry"), "image": "a/b",
                                                                   "entrypoint": "true"})
    assert r.status_code == 200 and r.json()["function"]["status"] == "active", r.text
    assert count_rows(server, GpuFunction, name=r.json()["function"]["name"]) == 0
    run = start_run(alice.api, fn["id"], {"x": 1})
    done = wait_run(alice.api, fn["id"], run["id"])
    assert done["status"] == "succeeded" and done["output"] == '{"x": 1}\nnot json\n', done


def test_idempotent_run(server: Server, alice: Tenant) -> None:
    fn = new_function(alice.api, entrypoint="true")
    key = uid("key")
    first = alice.api.post(f"{FUNCTIONS}/{fn['id']}/run", json={"input": {}}, headers={"Idempotency-Key": key})
    again = alice.api.post(f"{FUNCTIONS}/{fn['id']}/run", json={"input": {}}, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"] and again.headers["Location"] == first.headers["Location"]
    assert count_rows(server, FunctionRun, function_id=fn["id"]) == 1


# -- GraphQL ------------------------------------------------------------------------------------------

FN_FIELDS = "id name gpuTier timeoutSeconds envVars secretEnvVarNames status pricePerHour"
RUN_FIELDS = "id functionId status statusReason input output error logs exitCode cost durationSeconds"


def test_documented_flow_over_graphql(server: Server, alice: Tenant) -> None:
    api = alice.api
    created = gql_post(api, f"""mutation($input: CreateFunctionInput!) {{
        createFunction(input: $input) {{ dryRun valid function {{ {FN_FIELDS} }} }} }}""",
                       {"input": {"name": uid("gql"), "image": "registry.gpu.local/myteam/classifier:v1",
                                  "entrypoint": ECHO, "gpuTier": "timesliced", "timeoutSeconds": 300,
                                  "envVars": {"MODEL_PATH": "/m"}, "secretEnvVars": {"TOKEN": "s3cret-gql"}}})
    assert "errors" not in created, created
    fn = created["data"]["createFunction"]["function"]
    assert fn["envVars"] == {"MODEL_PATH": "/m"} and fn["secretEnvVarNames"] == ["TOKEN"]
    ran = gql_post(api, f"mutation($id: ID!, $input: JSON) {{ runFunction(id: $id, input: $input) "
                        f"{{ dryRun valid run {{ {RUN_FIELDS} }} }} }}", {"id": fn["id"], "input": {"top_k": 2}})
    assert "errors" not in ran, ran
    run = ran["data"]["runFunction"]["run"]
    assert run["status"] == "QUEUED" and run["functionId"] == fn["id"]

    def finished() -> dict[str, Any] | None:
        got = gql_post(api, f"query($id: ID!) {{ functionRun(id: $id) {{ {RUN_FIELDS} }} }}", {"id": run["id"]})
        body: dict[str, Any] = got["data"]["functionRun"]
        return body if body["status"] != "QUEUED" and body["status"] != "RUNNING" else None

    done = wait_for(finished, timeout=30, what="the GraphQL run to finish")
    assert done["status"] == "SUCCEEDED" and done["output"] == {"top_k": 2, "model": "/m"}, done
    listed = gql_post(api, "query($id: ID!) { functionRuns(functionId: $id, maxResults: 5) "
                           "{ items { id status } nextToken } functions { items { id } } }", {"id": fn["id"]})
    assert listed["data"]["functionRuns"]["items"] == [{"id": run["id"], "status": "SUCCEEDED"}]
    assert fn["id"] in [f["id"] for f in listed["data"]["functions"]["items"]]
    upd = gql_post(api, "mutation($id: ID!) { updateFunction(id: $id, input: {timeoutSeconds: 9}) "
                        "{ function { timeoutSeconds } } }", {"id": fn["id"]})
    assert upd["data"]["updateFunction"]["function"]["timeoutSeconds"] == 9, upd
    bad = gql_post(api, "mutation($id: ID!) { updateFunction(id: $id, input: {gpuTier: \"huge\"}) "
                        "{ function { id } } }", {"id": fn["id"]})
    ext = bad["errors"][0]["extensions"]
    assert (ext["code"], ext["field"]) == ("ValidationException", "gpuTier"), bad
    gone_fn = gql_post(api, "mutation($id: ID!) { deleteFunction(id: $id) { function { status } } }",
                       {"id": fn["id"]})
    assert gone_fn["data"]["deleteFunction"]["function"]["status"] == "deleted"
    other = gql_post(alice.api, "query { function(id: \"fn-doesnotexist\") { id } }")
    assert other["errors"][0]["extensions"]["code"] == "ResourceNotFoundException"


# -- secrets ------------------------------------------------------------------------------------------

def test_secret_values_are_set_but_never_shown(server: Server, alice: Tenant) -> None:
    secret = "sup3r-" + uuid.uuid4().hex
    digest = hashlib.sha256(secret.encode()).hexdigest()
    entrypoint = ("python3 -c 'import hashlib,json,os; "
                  "print(json.dumps(hashlib.sha256(os.environ[\"API_TOKEN\"].encode()).hexdigest()))'")
    r = alice.api.post(FUNCTIONS, json={"name": uid("sec"), "image": "a/b:1", "entrypoint": entrypoint,
                                        "envVars": {"PLAIN": "x"}, "secretEnvVars": {"API_TOKEN": secret}},
                       headers={"Idempotency-Key": uid("k")})
    assert r.status_code == 201 and secret not in r.text, r.text
    fn = r.json()
    assert fn["secret_env_var_names"] == ["API_TOKEN"] and "secret_env_vars" not in fn
    run = start_run(alice.api, fn["id"])
    done = wait_run(alice.api, fn["id"], run["id"])
    assert done["status"] == "succeeded" and done["output"] == digest, done
    # Updating other fields keeps the secret; nothing that answers or records shows it.
    assert alice.api.patch(f"{FUNCTIONS}/{fn['id']}", json={"image": "a/b:2"}).status_code == 200
    run2 = start_run(alice.api, fn["id"])
    assert wait_run(alice.api, fn["id"], run2["id"])["output"] == digest
    texts = [alice.api.get(f"{FUNCTIONS}/{fn['id']}").text, alice.api.get(FUNCTIONS).text,
             alice.api.get(f"{FUNCTIONS}/{fn['id']}/runs").text,
             json.dumps(gql_post(alice.api, "query($id: ID!) { function(id: $id) { envVars secretEnvVarNames } }",
                                 {"id": fn["id"]})),
             all_events_text(server), server.log()]
    for text in texts:
        assert secret not in text
    # A map given replaces the secrets: {} removes them, and the variable is no longer set.
    r = alice.api.patch(f"{FUNCTIONS}/{fn['id']}", json={"secretEnvVars": {}})
    assert r.status_code == 200 and r.json()["secret_env_var_names"] == [], r.text
    run3 = start_run(alice.api, fn["id"])
    assert wait_run(alice.api, fn["id"], run3["id"])["status"] == "failed"


# -- timeout, cancel ----------------------------------------------------------------------------------

SPAWNER = "sleep 300 & echo child=$! >&2; echo main=$$ >&2; sleep 300"


def test_timeout_kills_the_whole_process_tree(server: Server, alice: Tenant) -> None:
    fn = new_function(alice.api, entrypoint=SPAWNER, timeoutSeconds=2)
    run = start_run(alice.api, fn["id"])
    done = wait_run(alice.api, fn["id"], run["id"], timeout=30)
    assert done["status"] == "timed_out", done
    assert done["error"] == "timed out after 2 s; the process tree was killed" and done["exit_code"] is None
    assert 2.0 <= done["duration_seconds"] < 15, done
    pids = dict(line.split("=") for line in done["logs"].split())
    assert set(pids) == {"child", "main"}, done["logs"]
    for pid in pids.values():
        wait_for(lambda p=int(pid): exited(p), timeout=10, what=f"process {pid} to be gone")
    assert event_types(server, run["id"])[-1] == "function.failed"


def test_cancel_a_running_run_kills_it_and_a_queued_one_never_runs(server: Server, alice: Tenant) -> None:
    marker = Path(f"/tmp/icgpu-cancel-{uuid.uuid4().hex}")
    fn = new_function(alice.api, entrypoint=f"echo $$ > {marker}; sleep 300", timeoutSeconds=600)
    run = start_run(alice.api, fn["id"])
    wait_run(alice.api, fn["id"], run["id"], ("running",))
    pid = int(wait_for(lambda: marker.exists() and marker.read_text().strip(), timeout=10, what="the pid file"))
    try:
        r = alice.api.post(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
        wait_for(lambda: exited(pid), timeout=10, what="the cancelled run's process to be gone")
        assert_error(alice.api.post(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}/cancel"), 409, "ConflictException",
                     code="InvalidStateTransition")
        final = alice.api.get(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}").json()
        assert final["status"] == "cancelled" and final["cost"] is not None
        assert event_types(server, run["id"])[-1] == "function.cancelled"
    finally:
        marker.unlink(missing_ok=True)
        if not exited(pid):
            os.kill(pid, 9)
    # Deleting the function cancels its live runs.
    run2 = start_run(alice.api, fn["id"])
    assert alice.api.delete(f"{FUNCTIONS}/{fn['id']}").status_code == 200
    assert alice.api.get(f"{FUNCTIONS}/{fn['id']}/runs/{run2['id']}").json()["status"] == "cancelled"


# -- tenancy ------------------------------------------------------------------------------------------

def test_another_tenants_function_and_run_are_not_found(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    bob = tenant_factory()
    fn = new_function(alice.api, entrypoint="true")
    run = start_run(alice.api, fn["id"])
    for r in (bob.api.get(f"{FUNCTIONS}/{fn['id']}"), bob.api.get(f"{FUNCTIONS}/{fn['id']}/runs"),
              bob.api.get(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}"),
              bob.api.post(f"{FUNCTIONS}/{fn['id']}/run", json={"input": {}}),
              bob.api.patch(f"{FUNCTIONS}/{fn['id']}", json={"name": "x"}),
              bob.api.post(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}/cancel"),
              bob.api.delete(f"{FUNCTIONS}/{fn['id']}"),
              alice.api.get(f"{FUNCTIONS}/fn-nothere/runs/{run['id']}"),
              alice.api.get(f"{FUNCTIONS}/not-an-id")):
        assert_error(r, 404, "ResourceNotFoundException")
    assert fn["id"] not in [f["id"] for f in bob.api.get(FUNCTIONS).json()["functions"]]
    assert count_rows(server, FunctionRun, function_id=fn["id"]) == 1
    wait_run(alice.api, fn["id"], run["id"])  # it ends here, not during the next test


# -- bad input ----------------------------------------------------------------------------------------

BAD_CREATE = [
    ({"image": "a/b", "entrypoint": "true"}, "name"),
    ({"name": "Bad Name", "image": "a/b", "entrypoint": "true"}, "name"),
    ({"name": "ok", "entrypoint": "true"}, "image"),
    ({"name": "ok", "image": "has space", "entrypoint": "true"}, "image"),
    ({"name": "ok", "image": "a/b"}, "entrypoint"),
    ({"name": "ok", "image": "a/b", "entrypoint": "   "}, "entrypoint"),
    ({"name": "ok", "image": "a/b", "entrypoint": "echo 'unbalanced"}, "entrypoint"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "gpuTier": "h100"}, "gpuTier"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "timeoutSeconds": 0}, "timeoutSeconds"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "timeoutSeconds": 86401}, "timeoutSeconds"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "timeoutSeconds": "30"}, "timeoutSeconds"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "envVars": {"1BAD": "x"}}, "envVars"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "envVars": {"A": 1}}, "envVars.A"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "envVars": ["A"]}, "envVars"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "envVars": {"A": "x\u0000"}}, "envVars"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "envVars": {"ICGPU_RUN_ID": "x"}}, "envVars"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "secretEnvVars": {"B-C": "x"}}, "secretEnvVars"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "envVars": {"A": "1"}, "secretEnvVars": {"A": "2"}},
     "secretEnvVars"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "gpuTier": "mig", "gpu_tier": "mig"}, None),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "teamId": "team-nope"}, "team_id"),
    ({"name": "ok", "image": "a/b", "entrypoint": "true", "memory": 3}, "memory"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CREATE, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD_CREATE)])
def test_bad_create_is_400_naming_the_field_and_writes_nothing(server: Server, alice: Tenant, body: dict[str, Any],
                                                               field: str | None) -> None:
    # Alice's rows only: the server is shared by the module, and another test's run may still be ending.
    before = count_rows(server, GpuFunction), count_rows(server, Event, account_id=alice.account_id)
    r = alice.api.post(FUNCTIONS, json=body)
    err = assert_error(r, 400, "ValidationException")
    if field is not None:
        assert err.get("field") == field, err
    assert (count_rows(server, GpuFunction), count_rows(server, Event, account_id=alice.account_id)) == before


def test_other_bad_inputs(server: Server, alice: Tenant) -> None:
    fn = new_function(alice.api, entrypoint="true")
    fid = fn["id"]
    before = count_rows(server, FunctionRun, function_id=fid), count_rows(server, Event, resource_id=fid)
    err = assert_error(alice.api.post(f"{FUNCTIONS}/{fid}/run", json={"input": [1, 2]}), 400, "ValidationException")
    assert err["field"] == "input"
    assert_error(alice.api.post(f"{FUNCTIONS}/{fid}/run", json={"input": {}, "extra": 1}), 400, "ValidationException")
    assert_error(alice.api.post(f"{FUNCTIONS}/{fid}/run", content=b"{", headers={"content-type": "application/json"}),
                 400, "ValidationException", code="MalformedJson")
    err = assert_error(alice.api.patch(f"{FUNCTIONS}/{fid}", json={"timeoutSeconds": -1}), 400, "ValidationException")
    assert err["field"] == "timeoutSeconds"
    assert_error(alice.api.patch(f"{FUNCTIONS}/{fid}", json={"teamId": None}), 400, "ValidationException")
    err = assert_error(alice.api.get(f"{FUNCTIONS}/{fid}/runs", params={"status": "done"}), 400,
                       "ValidationException")
    assert_error(alice.api.get(f"{FUNCTIONS}/{fid}/runs", params={"nextToken": "forged"}), 400,
                 "ValidationException", code="InvalidPaginationToken")
    other = new_function(alice.api, entrypoint="true")
    assert_error(alice.api.patch(f"{FUNCTIONS}/{fid}", json={"name": other["name"]}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    assert_error(alice.api.post(FUNCTIONS, json={"name": other["name"], "image": "a/b", "entrypoint": "true"}), 409,
                 "ConflictException", code="ResourceAlreadyExists")
    assert (count_rows(server, FunctionRun, function_id=fid), count_rows(server, Event, resource_id=fid)) == before
    assert alice.api.get(f"{FUNCTIONS}/{fid}").json()["updated_at"] == fn["updated_at"]


def test_pagination_of_functions_and_runs(server: Server, tenant_factory: Any) -> None:
    t = tenant_factory()
    ids = [new_function(t.api, entrypoint="true")["id"] for _ in range(3)]
    page1 = t.api.get(FUNCTIONS, params={"maxResults": 2}).json()
    page2 = t.api.get(FUNCTIONS, params={"maxResults": 2, "nextToken": page1["nextToken"]}).json()
    assert [f["id"] for f in page1["functions"] + page2["functions"]] == ids and page2["nextToken"] is None
    runs = [start_run(t.api, ids[0])["id"] for _ in range(3)]
    p1 = t.api.get(f"{FUNCTIONS}/{ids[0]}/runs", params={"maxResults": 2}).json()
    p2 = t.api.get(f"{FUNCTIONS}/{ids[0]}/runs", params={"maxResults": 2, "nextToken": p1["nextToken"]}).json()
    assert [r["id"] for r in p1["runs"] + p2["runs"]] == runs
    assert_error(t.api.get(f"{FUNCTIONS}/{ids[1]}/runs", params={"nextToken": p1["nextToken"]}), 400,
                 "ValidationException", code="InvalidPaginationToken")
    for run_id in runs:
        wait_run(t.api, ids[0], run_id)


# -- the shared inventory, and host execution off ------------------------------------------------------

def test_a_run_waits_while_instances_hold_the_gpus_and_runs_once_one_stops(make_server: Any) -> None:
    srv: Server = make_server(ICGPU_LOCAL_INVENTORY="dedicated=1,mig=1x1,timesliced=1x1")
    boot = srv.bootstrap("small", "owner@small.example.com")
    with srv.client(boot["oidc_token"]) as api:
        r = api.post("/api/v1/instances", json={"name": "holder", "tier": "timesliced", "storage_gb": 10})
        assert r.status_code == 201, r.text
        inst = r.json()["id"]
        wait_for(lambda: api.get(f"/api/v1/instances/{inst}").json()["status"] == "running", timeout=20,
                 what="the instance to run")
        fn = new_function(api, entrypoint="echo ran", gpuTier="timesliced")
        run = start_run(api, fn["id"])
        waiting = wait_for(lambda: (lambda b: b if "no free timesliced GPU" in (b["status_reason"] or "") else None)(
            api.get(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}").json()), timeout=20, what="the run to wait")
        assert waiting["status"] == "queued", waiting
        tiers = {t["id"]: t for t in api.get("/api/v1/gpu-tiers").json()["tiers"]}
        assert tiers["timesliced"]["available"] == 0
        assert api.get(f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}").json()["status"] == "queued"
        assert api.post(f"/api/v1/instances/{inst}/stop").status_code == 200
        done = wait_run(api, fn["id"], run["id"], timeout=30)
        assert done["status"] == "succeeded" and done["output"] == "ran\n", done
        # The run gives its GPU back when it ends.
        wait_for(lambda: {t["id"]: t for t in api.get("/api/v1/gpu-tiers").json()["tiers"]}["timesliced"]
                 ["available"] == 1, timeout=20, what="the slot to be free again")


def test_with_host_execution_off_a_run_fails_at_once_saying_so(make_server: Any) -> None:
    srv: Server = make_server(ICGPU_LOCAL_FUNCTION_EXEC="false")
    boot = srv.bootstrap("noexec", "owner@noexec.example.com")
    marker = Path(f"/tmp/icgpu-noexec-{uuid.uuid4().hex}")
    with srv.client(boot["oidc_token"]) as api:
        fn = new_function(api, entrypoint=f"touch {marker}")
        run = start_run(api, fn["id"])
        done = wait_run(api, fn["id"], run["id"], timeout=10)
        assert done["status"] == "failed" and done["started_at"] is None, done
        assert done["status_reason"].startswith("host execution is disabled"), done
        assert not marker.exists()
