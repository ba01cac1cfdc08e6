"""The committed REST OpenAPI document matches the code, and covers the documented routes."""

from __future__ import annotations

import json
from pathlib import Path

from icgpu.app import export_openapi

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED = {
    ("get", "/api/v1/gpu-tiers"),
    ("get", "/api/v1/instances"),
    ("post", "/api/v1/instances"),
    ("get", "/api/v1/instances/{instance_id}"),
    ("delete", "/api/v1/instances/{instance_id}"),
    ("post", "/api/v1/instances/{instance_id}/start"),
    ("post", "/api/v1/instances/{instance_id}/stop"),
    ("post", "/api/v1/instances/{instance_id}/requeue"),
}


def test_committed_openapi_is_current() -> None:
    committed = (ROOT / "schema" / "openapi.json").read_text()
    assert committed == export_openapi(), "schema/openapi.json is out of date: run 'make schema'"


def test_documented_routes_are_served_with_their_body_schema() -> None:
    doc = json.loads(export_openapi())
    served = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert served >= DOCUMENTED, DOCUMENTED - served
    body = doc["paths"]["/api/v1/instances"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {"name", "tier", "ssh_key", "storage_gb", "workload_type", "ssh_key_group",
                                       "team_id"}
    assert body["properties"]["storage_gb"]["minimum"] == 10 and body["properties"]["storage_gb"]["maximum"] == 500
