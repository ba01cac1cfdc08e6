"""The committed REST OpenAPI document matches the code, covers the documented routes, declares
typed bodies and the real error responses (never a 422), and real responses match it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs

from icgpu.app import export_openapi
from tests.support.contracts import SSH
from tests.support.server import Server
from tests.support.tenants import Tenant

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"post", "put", "patch", "delete"}
DOCUMENTED = {
    ("get", "/api/v1/gpu-tiers"),
    ("get", "/api/v1/instances"),
    ("post", "/api/v1/instances"),
    ("get", "/api/v1/instances/{instance_id}"),
    ("delete", "/api/v1/instances/{instance_id}"),
    ("post", "/api/v1/instances/{instance_id}/start"),
    ("post", "/api/v1/instances/{instance_id}/stop"),
    ("post", "/api/v1/instances/{instance_id}/requeue"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/teams"),
    ("get", "/api/v1/teams"),
    ("get", "/api/v1/teams/my"),
    ("post", "/api/v1/teams/{team_id}/members"),
    ("patch", "/api/v1/teams/{team_id}/members/{member_id}"),
    ("delete", "/api/v1/teams/{team_id}/members/{member_id}"),
    ("post", "/api/v1/api-keys"),
    ("get", "/api/v1/api-keys"),
    ("delete", "/api/v1/api-keys/{key_id}"),
    ("get", "/api/v1/ssh-keys"),
    ("post", "/api/v1/ssh-keys"),
    ("post", "/api/v1/ssh-keys/generate"),
    ("delete", "/api/v1/ssh-keys/{key_id}"),
    ("post", "/api/v1/ssh-key-groups"),
    ("get", "/api/v1/ssh-key-groups"),
    ("post", "/api/v1/ssh-key-groups/{group_id}/keys"),
    ("delete", "/api/v1/ssh-key-groups/{group_id}/keys/{key_id}"),
}


# Public by the API documentation, without credentials: the GPU tier list ("List GPU tiers (public, no
# auth)") and the VM template catalogue (issue 10: "VM templates (public list ...)", "# List VM templates
# (public)"), with one template by id.
PUBLIC = {"/api/v1/gpu-tiers", "/api/v1/vm-templates", "/api/v1/vm-templates/{template_id}"}


@cache
def document() -> dict[str, Any]:
    return dict(json.loads(export_openapi()))


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in document()["paths"].items() for m, op in ops.items()]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return dict(document()["components"]["schemas"][ref.rsplit("/", 1)[1]])


def test_committed_openapi_is_current() -> None:
    committed = (ROOT / "schema" / "openapi.json").read_text()
    assert committed == export_openapi(), "schema/openapi.json is out of date: run 'make schema'"


def test_documented_routes_are_served_with_their_body_schema() -> None:
    doc = document()
    served = {(m, p) for m, p, _ in operations()}
    assert served >= DOCUMENTED, DOCUMENTED - served
    body = doc["paths"]["/api/v1/instances"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"name", "tier", "ssh_key", "storage_gb", "workload_type", "ssh_key_group",
                                       "team_id", "auto_stop_after_minutes"}
    assert body["properties"]["storage_gb"]["minimum"] == 10 and body["properties"]["storage_gb"]["maximum"] == 500
    # What the validators enforce beyond types is stated too.
    assert body["properties"]["tier"]["enum"] == ["dedicated", "mig", "timesliced"]
    assert body["properties"]["name"]["pattern"].startswith("^[a-z0-9]")
    assert body["properties"]["workload_type"]["enum"] == ["interactive", "batch"]
    assert body["additionalProperties"] is False
    keys = doc["paths"]["/api/v1/api-keys"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "instances" in keys["properties"]["scopes"]["items"]["enum"]
    assert keys["properties"]["permissions"]["items"]["enum"] == ["read", "write"]


def test_no_422_and_every_operation_declares_its_errors() -> None:
    doc = document()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    error = doc["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"type", "code", "message", "request_id"} and "field" in error["properties"]
    for method, path, op in operations():
        statuses = set(op["responses"])
        assert "422" not in statuses, (method, path)
        assert {"413", "500"} <= statuses, (method, path)
        assert not any(k.startswith("x-icgpu-never") for k in op), (method, path)
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        if not path.startswith("/api/v1/"):
            continue
        assert "400" in statuses, (method, path)
        if path in PUBLIC:
            assert not op.get("security") and not {"401", "403"} & statuses, (method, path)
        else:
            assert {"401", "429"} <= statuses, (method, path)
            # /me and /quotas need only a valid credential, no scope: they never answer 403.
            assert ("403" in statuses) == (path not in ("/api/v1/me", "/api/v1/quotas")), (method, path)
            assert op["security"] == [{"bearer": []}]
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method in WRITES:
            assert "409" in statuses, (method, path)
        assert ("415" in statuses) == ("requestBody" in op), (method, path)
    assert "/graphql" not in doc["paths"]


def test_every_success_body_is_typed() -> None:
    for method, path, op in operations():
        ok = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        assert ok, (method, path)
        for status, response in ok.items():
            schema = response["content"]["application/json"]["schema"]
            alternatives = schema.get("anyOf", [schema])
            for alt in alternatives:
                resolved = resolve(alt)
                assert resolved.get("type") == "object" and resolved.get("properties"), (method, path, status)
                assert resolved.get("additionalProperties") is False, (method, path, status)


def test_every_write_documents_its_dry_run() -> None:
    for method, path, op in operations():
        if method not in WRITES:
            continue
        names = {p["name"] for p in op.get("parameters", [])}
        assert "dryRun" in names, (method, path)
        dry = op["responses"]["200"]["content"]["application/json"]["schema"]
        shapes = [resolve(alt) for alt in dry.get("anyOf", [dry])]
        previews = [s for s in shapes if "dryRun" in s.get("properties", {})]
        assert len(previews) == 1, (method, path)
        assert previews[0]["required"][:2] == ["dryRun", "valid"], (method, path)


def test_lists_have_their_envelope_and_nullable_fields_are_declared() -> None:
    schemas = document()["components"]["schemas"]
    for name, key in (("InstanceList", "instances"), ("TeamList", "teams"), ("ApiKeyList", "api_keys"),
                      ("SshKeyList", "ssh_keys"), ("SshKeyGroupList", "ssh_key_groups"),
                      ("MemberList", "members")):
        assert set(schemas[name]["required"]) == {key, "nextToken"}, name
        assert {"type": "null"} in schemas[name]["properties"]["nextToken"]["anyOf"], name
    instance = schemas["Instance"]["properties"]
    for nullable in ("ssh_host", "ssh_port", "terminated_at", "team_id", "ssh_key", "status_reason"):
        assert {"type": "null"} in instance[nullable]["anyOf"], nullable
    assert "anyOf" not in instance["name"] and instance["status"]["enum"][0] == "pending"


# -- real responses against the document -------------------------------------------------------------

class Checker:
    """Validates each response against the schema the document declares for its operation."""

    def __init__(self) -> None:
        self.checked: set[tuple[str, str, int]] = set()

    def __call__(self, r: httpx.Response, method: str, path: str) -> httpx.Response:
        doc = document()
        declared = doc["paths"][path][method]["responses"]
        assert str(r.status_code) in declared, f"{method} {path} answered undeclared {r.status_code}: {r.text}"
        schema = declared[str(r.status_code)]["content"]["application/json"]["schema"]
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]},
                                                       validate_formats=True)
        errors = [str(e) for e in validator.iter_errors(r.json())]
        assert not errors, f"{method} {path} {r.status_code}: {errors[0]}\n{r.text[:1500]}"
        self.checked.add((method, path, r.status_code))
        return r


def test_real_responses_match_the_document(server: Server, alice: Tenant, tenant_factory: Any) -> None:
    ok = Checker()
    api = alice.api
    ok(server.client().get("/api/v1/gpu-tiers"), "get", "/api/v1/gpu-tiers")
    # The VM template catalogue answers without credentials too, over REST and GraphQL alike.
    anonymous = server.client()
    templates = ok(anonymous.get("/api/v1/vm-templates"), "get", "/api/v1/vm-templates").json()["vm_templates"]
    assert "tpl-ubuntu-cpu" in {t["id"] for t in templates}, templates
    one = ok(anonymous.get("/api/v1/vm-templates/tpl-ubuntu-cpu"), "get", "/api/v1/vm-templates/{template_id}")
    assert one.json() == next(t for t in templates if t["id"] == "tpl-ubuntu-cpu")
    assert ok(anonymous.get("/api/v1/vm-templates/tpl-nope"), "get",
              "/api/v1/vm-templates/{template_id}").status_code == 404
    listed = anonymous.post("/graphql", json={"query": "{ vmTemplates { id } vmTemplate(id: \"tpl-ubuntu-cpu\") "
                                                        "{ id defaultCpu } }"})
    assert listed.status_code == 200 and "errors" not in listed.json(), listed.text
    assert [t["id"] for t in listed.json()["data"]["vmTemplates"]] == [t["id"] for t in templates]
    assert listed.json()["data"]["vmTemplate"] == {"id": "tpl-ubuntu-cpu", "defaultCpu": one.json()["default_cpu"]}
    ok(api.get("/api/v1/me"), "get", "/api/v1/me")
    ok(alice.key_api.get("/api/v1/me"), "get", "/api/v1/me")

    inst_path = "/api/v1/instances/{instance_id}"
    ok(api.post("/api/v1/instances", params={"dryRun": "true"}, json={"name": "doc-dry", "tier": "mig"}),
       "post", "/api/v1/instances")
    inst = ok(api.post("/api/v1/instances", json={"name": "doc-one", "tier": "mig", "ssh_key": SSH}),
              "post", "/api/v1/instances").json()
    ok(api.get("/api/v1/instances", params={"maxResults": 1}), "get", "/api/v1/instances")
    ok(api.get(f"/api/v1/instances/{inst['id']}"), "get", inst_path)
    ok(api.post(f"/api/v1/instances/{inst['id']}/requeue"), "post", inst_path + "/requeue")  # 409
    ok(api.post(f"/api/v1/instances/{inst['id']}/stop"), "post", inst_path + "/stop")

    team = ok(api.post("/api/v1/teams", json={"name": "doc-team"}), "post", "/api/v1/teams").json()
    ok(api.get("/api/v1/teams"), "get", "/api/v1/teams")
    ok(api.get("/api/v1/teams/my"), "get", "/api/v1/teams/my")
    ok(api.get(f"/api/v1/teams/{team['id']}"), "get", "/api/v1/teams/{team_id}")
    ok(api.get(f"/api/v1/teams/{team['id']}/members"), "get", "/api/v1/teams/{team_id}/members")
    ok(api.get("/api/v1/me"), "get", "/api/v1/me")  # now with a team

    key = ok(api.post("/api/v1/api-keys", json={"name": "doc-key", "scopes": ["instances"]}),
             "post", "/api/v1/api-keys").json()
    ok(api.get("/api/v1/api-keys"), "get", "/api/v1/api-keys")
    ok(api.delete(f"/api/v1/api-keys/{key['id']}"), "delete", "/api/v1/api-keys/{key_id}")

    ssh = ok(api.post("/api/v1/ssh-keys", json={"name": "doc-ssh", "public_key": SSH}),
             "post", "/api/v1/ssh-keys").json()
    ok(api.post("/api/v1/ssh-keys/generate", json={"name": "doc-gen"}), "post", "/api/v1/ssh-keys/generate")
    ok(api.get("/api/v1/ssh-keys"), "get", "/api/v1/ssh-keys")
    group = ok(api.post("/api/v1/ssh-key-groups", json={"name": "doc-grp"}), "post", "/api/v1/ssh-key-groups").json()
    ok(api.post(f"/api/v1/ssh-key-groups/{group['id']}/keys", json={"ssh_key_id": ssh["id"]}),
       "post", "/api/v1/ssh-key-groups/{group_id}/keys")
    ok(api.get("/api/v1/ssh-key-groups"), "get", "/api/v1/ssh-key-groups")
    ok(api.get(f"/api/v1/ssh-key-groups/{group['id']}"), "get", "/api/v1/ssh-key-groups/{group_id}")

    # Errors have the declared shape too: 400, 401, 404, 409.
    ok(api.post("/api/v1/instances", json={"name": "Bad Name", "tier": "mig"}), "post", "/api/v1/instances")
    ok(server.client().get("/api/v1/instances"), "get", "/api/v1/instances")
    ok(api.get("/api/v1/instances/inst-doesnotexist"), "get", inst_path)
    ok(api.post("/api/v1/teams", json={"name": "doc-team"}), "post", "/api/v1/teams")
    ok(api.get("/api/v1/ssh-keys", params={"bogus": "1"}), "get", "/api/v1/ssh-keys")
    assert {s for _, _, s in ok.checked} >= {200, 201, 400, 401, 404, 409}
