"""Model deployments over HTTP: the documented curl flow (REST, then GraphQL), addressed by name,
the Hugging Face token that never comes back (responses, events, logs, the stored column), bounds
and every bad input, name conflicts (taken, a catalogue alias), dry runs, Idempotency-Key, scopes,
tenant isolation, the GPU limit, and the model catalogue."""

from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from icgpu.db.tables import Event
from icgpu.db.tables_models import ModelDeployment
from icgpu.services.model_catalogue import CATALOGUE
from tests.support.contracts import assert_error, count_rows
from tests.support.graphql import gql_data, gql_error
from tests.support.server import Server
from tests.support.tenants import Tenant

MODELS = "/api/v1/models"
CATALOGUE_PATH = "/api/v1/model-catalogue"
TOKEN = "hf_" + "Zq9" * 12  # a made-up Hugging Face token, searched for everywhere afterwards
FIELDS = ("id name model engine kind minReplicas maxReplicas resourceProfile gpuTier status statusReason "
          "desiredReplicas readyReplicas upstream huggingfaceTokenSet teamId accountId createdAt updatedAt deletedAt")


def uid(prefix: str = "m") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def documented_body(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "model": "meta-llama/Llama-3.1-8B-Instruct", "engine": "vllm", "minReplicas": 0,
            "maxReplicas": 2, "resourceProfile": "nvidia-gpu-dedicated", "huggingfaceToken": TOKEN, **extra}


def deploy(api: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("name", uid())
    body.setdefault("model", "Qwen/Qwen2.5-7B-Instruct")
    r = api.post(MODELS, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def db_rows(server: Server, stmt: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_async_engine(server.db_url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(stmt)).all())
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result(timeout=60)


def event_types(server: Server, resource_id: str) -> list[str]:
    rows = db_rows(server, select(Event.type).where(Event.resource_id == resource_id).order_by(Event.seq))
    return [str(r[0]) for r in rows]


# -- the documented flow ------------------------------------------------------------------------------

def test_documented_flow_over_rest(server: Server, alice: Tenant) -> None:
    api = alice.api
    name = uid("my-llama")
    r = api.post(MODELS, json=documented_body(name))
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["id"].startswith("mdl-") and r.headers["Location"] == f"{MODELS}/{name}"
    assert (d["name"], d["model"], d["engine"], d["kind"]) == (name, "meta-llama/Llama-3.1-8B-Instruct", "vllm", "chat")
    assert (d["min_replicas"], d["max_replicas"], d["resource_profile"], d["gpu_tier"]) == \
        (0, 2, "nvidia-gpu-dedicated", "dedicated")
    assert (d["status"], d["desired_replicas"], d["ready_replicas"]) == ("scaled_to_zero", 0, 0)
    assert d["upstream"] == "dev_engine" and d["huggingface_token_set"] is True
    assert d["account_id"] == alice.account_id and d["team_id"] is None and d["deleted_at"] is None

    r = api.get(MODELS)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"models", "nextToken"} and [m["name"] for m in r.json()["models"]] == [name]
    assert api.get(f"{MODELS}/{name}").json() == d

    r = api.put(f"{MODELS}/{name}/scaling", json={"minReplicas": 0, "maxReplicas": 3})
    assert r.status_code == 200, r.text
    assert (r.json()["min_replicas"], r.json()["max_replicas"]) == (0, 3)

    r = api.post(f"{MODELS}/{name}/stop")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["desired_replicas"]) == ("stopped", 0)
    assert api.get(f"{MODELS}/{name}").json()["status"] == "stopped"  # stays callable: it is still listed
    assert [m["name"] for m in api.get(MODELS).json()["models"]] == [name]

    r = api.delete(f"{MODELS}/{name}")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "deleted" and r.json()["deleted_at"]
    assert_error(api.get(f"{MODELS}/{name}"), 404, "ResourceNotFoundException", code="ModelNotFound")
    assert api.get(MODELS).json()["models"] == []
    assert event_types(server, d["id"]) == ["model.deployed", "model.scaled", "model.stopped", "model.deleted"]
    # The name is free again once deleted.
    assert deploy(api, name=name)["id"] != d["id"]


def test_documented_flow_over_graphql(alice: Tenant) -> None:
    name = uid("gql")
    out = gql_data(alice.api, f"mutation($i: DeployModelInput!) {{ deployModel(input: $i) {{ dryRun valid "
                               f"modelDeployment {{ {FIELDS} }} }} }}",
                   {"i": {"name": name, "model": "meta-llama/Llama-3.1-8B-Instruct", "minReplicas": 0,
                          "maxReplicas": 2, "resourceProfile": "nvidia-gpu-mig", "huggingfaceToken": TOKEN}})
    m = out["deployModel"]["modelDeployment"]
    assert out["deployModel"]["dryRun"] is False and out["deployModel"]["valid"] is True
    assert (m["name"], m["gpuTier"], m["status"], m["huggingfaceTokenSet"]) == (name, "mig", "scaled_to_zero", True)
    rest = alice.api.get(f"{MODELS}/{name}").json()
    assert rest["id"] == m["id"] and rest["resource_profile"] == m["resourceProfile"]

    got = gql_data(alice.api, f"query($n: String!) {{ modelDeployment(name: $n) {{ {FIELDS} }} }}", {"n": name})
    assert got["modelDeployment"] == m
    page = gql_data(alice.api, "{ modelDeployments(maxResults: 5) { items { name } nextToken } }")
    assert page["modelDeployments"] == {"items": [{"name": name}], "nextToken": None}

    out = gql_data(alice.api, "mutation($n: String!) { scaleModel(name: $n, input: {maxReplicas: 4}) "
                              "{ modelDeployment { minReplicas maxReplicas } } }", {"n": name})
    assert out["scaleModel"]["modelDeployment"] == {"minReplicas": 0, "maxReplicas": 4}
    out = gql_data(alice.api, "mutation($n: String!) { stopModel(name: $n) { modelDeployment { status } } }",
                   {"n": name})
    assert out["stopModel"]["modelDeployment"]["status"] == "stopped"
    out = gql_data(alice.api, "mutation($n: String!) { deleteModel(name: $n) { modelDeployment { status } } }",
                   {"n": name})
    assert out["deleteModel"]["modelDeployment"]["status"] == "deleted"
    err = gql_error(alice.api, "query($n: String!) { modelDeployment(name: $n) { id } }", {"n": name})
    assert err["extensions"]["code"] == "ResourceNotFoundException"


def test_snake_case_body_and_defaults(alice: Tenant) -> None:
    d = deploy(alice.api, name=uid(), model="BAAI/bge-large-en-v1.5", min_replicas=0, max_replicas=1,
               resource_profile="cpu")
    # The catalogue knows the model: an embedding model. No token given: none is set.
    assert (d["kind"], d["engine"], d["gpu_tier"], d["huggingface_token_set"]) == ("embedding", "vllm", None, False)
    d = deploy(alice.api, model="org/unknown-model")
    assert (d["kind"], d["min_replicas"], d["max_replicas"], d["resource_profile"]) == \
        ("chat", 0, 1, "nvidia-gpu-timesliced")


# -- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"minReplicas": 3, "maxReplicas": 2}, "minReplicas"),
    ({"maxReplicas": 0}, "maxReplicas"),
    ({"maxReplicas": 17}, "maxReplicas"),
    ({"minReplicas": -1}, "minReplicas"),
    ({"minReplicas": "1"}, "minReplicas"),
    ({"engine": "tgi"}, "engine"),
    ({"kind": "image"}, "kind"),
    ({"resourceProfile": "nvidia-gpu-huge"}, "resourceProfile"),
    ({"name": "My_Llama"}, "name"),
    ({"name": ""}, "name"),
    ({"model": "two/slashes/here"}, "model"),
    ({"model": "has space"}, "model"),
    ({"huggingfaceToken": "hf with space"}, "huggingfaceToken"),
    ({"huggingfaceToken": "hf_\u0000x"}, "huggingfaceToken"),
    ({"teamId": "team-doesnotexist"}, "team_id"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_deploy_is_a_clear_400_and_writes_nothing(server: Server, alice: Tenant, change: dict[str, Any],
                                                      field: str) -> None:
    name = uid("bad")
    body = {**documented_body(name), **change}
    err = assert_error(alice.api.post(MODELS, json=body), 400, "ValidationException", field=field)
    assert field in err["message"]
    assert count_rows(server, ModelDeployment, name=body["name"]) == 0


def test_both_spellings_and_missing_fields(alice: Tenant) -> None:
    body = {**documented_body(uid()), "min_replicas": 0}
    assert_error(alice.api.post(MODELS, json=body), 400, "ValidationException")
    assert_error(alice.api.post(MODELS, json={"name": uid()}), 400, "ValidationException", field="model")
    assert_error(alice.api.post(MODELS, content=b"not json", headers={"content-type": "application/json"}), 400,
                 "ValidationException")


def test_bad_scaling(alice: Tenant) -> None:
    d = deploy(alice.api, maxReplicas=2)
    url = f"{MODELS}/{d['name']}/scaling"
    assert_error(alice.api.put(url, json={"minReplicas": 3}), 400, "ValidationException", field="minReplicas")
    assert_error(alice.api.put(url, json={"maxReplicas": 0}), 400, "ValidationException", field="maxReplicas")
    assert_error(alice.api.put(url, json={}), 400, "ValidationException", field="minReplicas")
    assert_error(alice.api.put(url, json={"minReplicas": 0, "min_replicas": 0}), 400, "ValidationException")
    after = alice.api.get(f"{MODELS}/{d['name']}").json()
    assert (after["min_replicas"], after["max_replicas"]) == (0, 2)
    assert_error(alice.api.put(f"{MODELS}/{uid()}/scaling", json={"maxReplicas": 2}), 404,
                 "ResourceNotFoundException", code="ModelNotFound")


# -- conflicts ----------------------------------------------------------------------------------------

def test_names_are_unique_in_the_tenant_and_catalogue_aliases_are_reserved(server: Server, alice: Tenant,
                                                                           tenant_factory: Any) -> None:
    d = deploy(alice.api)
    assert_error(alice.api.post(MODELS, json={"name": d["name"], "model": "a/b"}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    # Another tenant may use the same name.
    bob = tenant_factory()
    assert deploy(bob.api, name=d["name"])["id"] != d["id"]
    for alias in ("llama-3-8b", "mistral-7b"):
        assert alias in CATALOGUE
        err = assert_error(alice.api.post(MODELS, json={"name": alias, "model": "a/b"}), 409, "ConflictException",
                           code="ModelNameReserved")
        assert alias in err["message"]
        assert count_rows(server, ModelDeployment, name=alias) == 0


# -- the Hugging Face token ---------------------------------------------------------------------------

def test_huggingface_token_is_never_shown(server: Server, alice: Tenant) -> None:
    name = uid("secret")
    answers = [alice.api.post(MODELS, json=documented_body(name, teamId=None)),
               alice.api.post(MODELS, json=documented_body(name), params={"dryRun": "true"}),
               alice.api.get(MODELS), alice.api.get(f"{MODELS}/{name}"),
               alice.api.put(f"{MODELS}/{name}/scaling", json={"maxReplicas": 3}),
               alice.api.post(f"{MODELS}/{name}/stop"),
               alice.api.post("/graphql", json={"query": f"{{ modelDeployments {{ items {{ {FIELDS} }} }} }}"}),
               alice.api.post("/graphql", json={"query": f"mutation {{ deployModel(input: {{name: \"{uid()}\", "
                                                         f"model: \"a/b\", huggingfaceToken: \"{TOKEN}\"}}) "
                                                         f"{{ modelDeployment {{ {FIELDS} }} }} }}"}),
               alice.api.delete(f"{MODELS}/{name}")]
    assert [r.status_code for r in answers] == [201, 409, 200, 200, 200, 200, 200, 200, 200]
    for r in answers:
        assert TOKEN not in r.text
    assert answers[0].json()["huggingface_token_set"] is True
    events = db_rows(server, select(Event.type, Event.data).where(Event.resource_type == "model_deployment"))
    assert events and TOKEN not in json.dumps([[e[0], e[1]] for e in events])
    stored = db_rows(server, select(ModelDeployment.hf_token_blob, ModelDeployment.name))
    assert all(TOKEN not in (blob or "") for blob, _ in stored)
    assert any(blob for blob, n in stored if n != name)  # the GraphQL one keeps it, encrypted
    assert TOKEN not in server.log()


# -- dry runs and Idempotency-Key ---------------------------------------------------------------------

def test_dry_runs_write_nothing(server: Server, alice: Tenant) -> None:
    name = uid("dry")
    r = alice.api.post(MODELS, json=documented_body(name), params={"dryRun": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["dryRun"] is True and r.json()["valid"] is True and r.json()["model"]["name"] == name
    assert count_rows(server, ModelDeployment, name=name) == 0
    assert_error(alice.api.post(MODELS, json=documented_body(name, maxReplicas=0), params={"dryRun": "true"}), 400,
                 "ValidationException", field="maxReplicas")

    d = deploy(alice.api, name=name, maxReplicas=2)
    before = event_types(server, d["id"])
    r = alice.api.put(f"{MODELS}/{name}/scaling", json={"maxReplicas": 5}, params={"dryRun": "true"})
    assert r.status_code == 200 and r.json()["model"]["max_replicas"] == 5
    r = alice.api.post(f"{MODELS}/{name}/stop", params={"dryRun": "true"})
    assert r.status_code == 200 and r.json()["model"]["status"] == "stopped"
    r = alice.api.delete(f"{MODELS}/{name}", params={"dryRun": "true"})
    assert r.status_code == 200 and r.json()["model"]["status"] == "deleted"
    after = alice.api.get(f"{MODELS}/{name}").json()
    assert (after["max_replicas"], after["status"]) == (2, "scaled_to_zero")
    assert event_types(server, d["id"]) == before

    out = gql_data(alice.api, "mutation($n: String!) { deleteModel(name: $n, dryRun: true) "
                              "{ dryRun modelDeployment { status } } }", {"n": name})
    assert out["deleteModel"] == {"dryRun": True, "modelDeployment": {"status": "deleted"}}
    assert alice.api.get(f"{MODELS}/{name}").status_code == 200


def test_idempotency_key_replays_the_deploy(server: Server, alice: Tenant) -> None:
    name = uid("idem")
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = alice.api.post(MODELS, json=documented_body(name), headers=key)
    again = alice.api.post(MODELS, json=documented_body(name), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    assert TOKEN not in again.text
    assert count_rows(server, ModelDeployment, name=name) == 1
    assert_error(alice.api.post(MODELS, json=documented_body(name, maxReplicas=3), headers=key), 409,
                 "ConflictException")


# -- who may do what ----------------------------------------------------------------------------------

def test_other_tenants_and_scopes(alice: Tenant, tenant_factory: Any) -> None:
    d = deploy(alice.api)
    bob = tenant_factory()
    for r in (bob.api.get(f"{MODELS}/{d['name']}"), bob.api.post(f"{MODELS}/{d['name']}/stop"),
              bob.api.put(f"{MODELS}/{d['name']}/scaling", json={"maxReplicas": 2}),
              bob.api.delete(f"{MODELS}/{d['name']}")):
        assert_error(r, 404, "ResourceNotFoundException")
    assert bob.api.get(MODELS).json()["models"] == []

    r = alice.api.post("/api/v1/api-keys", json={"name": "ro", "scopes": ["models"], "permissions": ["read"]})
    assert r.status_code == 201, r.text
    with httpx.Client(base_url=str(alice.api.base_url), headers={"Authorization": f"Bearer {r.json()['key']}"},
                      timeout=30.0) as ro:
        assert ro.get(f"{MODELS}/{d['name']}").status_code == 200
        assert ro.get(CATALOGUE_PATH).status_code == 200
        assert_error(ro.post(f"{MODELS}/{d['name']}/stop"), 403, "AccessDeniedException", code="PermissionNotGranted")
        assert_error(ro.post(MODELS, json={"name": uid(), "model": "a/b"}), 403, "AccessDeniedException")
    r = alice.api.post("/api/v1/api-keys", json={"name": "inst", "scopes": ["instances"],
                                                 "permissions": ["read", "write"]})
    with httpx.Client(base_url=str(alice.api.base_url), headers={"Authorization": f"Bearer {r.json()['key']}"},
                      timeout=30.0) as other:
        assert_error(other.get(MODELS), 403, "AccessDeniedException", code="ScopeNotGranted")
        assert_error(other.get(CATALOGUE_PATH), 403, "AccessDeniedException", code="ScopeNotGranted")
    assert_error(httpx.get(str(alice.api.base_url) + CATALOGUE_PATH), 401, "AuthenticationError")


def test_pages(alice: Tenant) -> None:
    names = [deploy(alice.api)["name"] for _ in range(3)]
    seen: list[str] = []
    token = None
    for _ in range(5):
        params: dict[str, Any] = {"maxResults": 2}
        if token:
            params["nextToken"] = token
        body = alice.api.get(MODELS, params=params).json()
        seen += [m["name"] for m in body["models"]]
        token = body["nextToken"]
        if not token:
            break
    assert seen == names


def test_minimum_replicas_must_fit_the_gpu_limit(server: Server, alice: Tenant) -> None:
    server.cli("admin", "quota", "set", "--tenant", alice.name, "--gpus", "1")
    try:
        err = assert_error(alice.api.post(MODELS, json={"name": uid(), "model": "a/b", "minReplicas": 2,
                                                        "maxReplicas": 2}), 409, "ConflictException",
                           code="GpuQuotaExceeded")
        assert "GPU quota" in err["message"]
        # A CPU deployment holds no GPU; a deployment at zero holds none yet.
        deploy(alice.api, resourceProfile="cpu", minReplicas=0, maxReplicas=2)
        d = deploy(alice.api, minReplicas=0, maxReplicas=4)
        assert_error(alice.api.put(f"{MODELS}/{d['name']}/scaling", json={"minReplicas": 3}), 409,
                     "ConflictException", code="GpuQuotaExceeded")
        quotas = alice.api.get("/api/v1/quotas").json()
        assert quotas["gpus"]["by_family"]["models"] == 0
    finally:
        server.cli("admin", "quota", "set", "--tenant", alice.name, "--gpus", "100000")


# -- the catalogue ------------------------------------------------------------------------------------

def test_model_catalogue_over_rest_and_graphql(alice: Tenant) -> None:
    r = alice.key_api.get(CATALOGUE_PATH)
    assert r.status_code == 200, r.text
    rest = {m["alias"]: m for m in r.json()["models"]}
    assert set(rest) == set(CATALOGUE)
    assert rest["llama-3-8b"]["kind"] == "chat" and rest["bge-large-en-v1.5"]["kind"] == "embedding"
    for m in rest.values():
        assert m["context_length"] > 0 and m["token_multiplier"] > 0 and m["huggingface_id"]
        assert m["gpu_tier"] in ("dedicated", "mig", "timesliced", None)
    gql = gql_data(alice.key_api, "{ modelCatalogue { alias huggingfaceId engine resourceProfile gpuTier "
                                  "contextLength tokenMultiplier kind description } }")["modelCatalogue"]
    assert [g["alias"] for g in gql] == [m["alias"] for m in r.json()["models"]]
    assert gql[0]["huggingfaceId"] == r.json()["models"][0]["huggingface_id"]
    # /api/v1/models/{name} never takes the catalogue's path: a name that is an alias is simply not found.
    assert_error(alice.api.get(f"{MODELS}/llama-3-8b"), 404, "ResourceNotFoundException")
