"""Query strings: an unknown or repeated parameter is a 400 naming it, on every /api/v1 route
(checked once, by the route class), after authentication and before anything is done."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.auth import db_counts
from tests.support.contracts import assert_error, wait_status
from tests.support.server import Server
from tests.support.tenants import Tenant

INST = "/api/v1/instances"

Call = Callable[[httpx.Client, Any], httpx.Response]


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def routes(inst_id: str) -> dict[str, Call]:
    return {
        "list instances": lambda c, p: c.get(INST, params=p),
        "get instance": lambda c, p: c.get(f"{INST}/{inst_id}", params=p),
        "create instance": lambda c, p: c.post(INST, params=p, json={"name": uid("q"), "tier": "mig"}),
        "stop instance": lambda c, p: c.post(f"{INST}/{inst_id}/stop", params=p),
        "delete instance": lambda c, p: c.delete(f"{INST}/{inst_id}", params=p),
        "rename instance": lambda c, p: c.patch(f"{INST}/{inst_id}", params=p, json={"name": uid("r")}),
        "me": lambda c, p: c.get("/api/v1/me", params=p),
        "teams": lambda c, p: c.get("/api/v1/teams", params=p),
        "create team": lambda c, p: c.post("/api/v1/teams", params=p, json={"name": uid("t")}),
        "api keys": lambda c, p: c.get("/api/v1/api-keys", params=p),
        "ssh keys": lambda c, p: c.get("/api/v1/ssh-keys", params=p),
        "generate ssh key": lambda c, p: c.post("/api/v1/ssh-keys/generate", params=p, json={"name": uid("g")}),
        "groups": lambda c, p: c.get("/api/v1/ssh-key-groups", params=p),
    }


@pytest.fixture
def running(alice: Tenant) -> dict[str, Any]:
    r = alice.api.post(INST, json={"name": uid("qp"), "tier": "mig"})
    assert r.status_code == 201, r.text
    return wait_status(alice.api, r.json()["id"], "running")


def test_unknown_query_parameter_is_400_naming_it(server: Server, alice: Tenant, running: dict[str, Any]) -> None:
    before = db_counts(server, alice.name)
    for name, call in routes(running["id"]).items():
        for param in ("bogus", "maxresults", "dry_run", "max_results"):
            err = assert_error(call(alice.api, {param: "1"}), 400, "ValidationException", field=param)
            assert err["code"] == "UnknownParameter", (name, err)
            assert param in err["message"], (name, err)
    assert db_counts(server, alice.name) == before
    assert alice.api.get(f"{INST}/{running['id']}").json()["status"] == "running"


def test_the_public_tier_list_checks_its_query_too(server: Server) -> None:
    with server.client() as anon:
        assert anon.get("/api/v1/gpu-tiers").status_code == 200
        assert_error(anon.get("/api/v1/gpu-tiers", params={"region": "eu"}), 400, "ValidationException",
                     field="region", code="UnknownParameter")


def test_dry_run_is_not_a_parameter_of_reads(server: Server, alice: Tenant, running: dict[str, Any]) -> None:
    for call in (lambda: alice.api.get(INST, params={"dryRun": "true"}),
                 lambda: alice.api.get(f"{INST}/{running['id']}", params={"dryRun": "false"}),
                 lambda: alice.api.get("/api/v1/me", params={"dryRun": "true"})):
        assert_error(call(), 400, "ValidationException", field="dryRun", code="UnknownParameter")


def test_repeated_parameter_is_400(server: Server, alice: Tenant, running: dict[str, Any]) -> None:
    r = alice.api.get(INST, params=[("maxResults", "1"), ("maxResults", "50")])
    assert_error(r, 400, "ValidationException", field="maxResults", code="RepeatedParameter")
    r = alice.api.get(INST, params=[("status", "running"), ("status", "stopped")])
    assert_error(r, 400, "ValidationException", field="status", code="RepeatedParameter")


def test_known_parameters_still_work_and_are_validated(server: Server, alice: Tenant,
                                                       running: dict[str, Any]) -> None:
    page = alice.api.get(INST, params={"maxResults": 1, "status": "running"})
    assert page.status_code == 200, page.text
    assert [i["id"] for i in page.json()["instances"]] == [running["id"]]
    assert_error(alice.api.get(INST, params={"maxResults": 0}), 400, "ValidationException", field="maxResults")
    assert_error(alice.api.get(INST, params={"maxResults": "ten"}), 400, "ValidationException", field="maxResults")
    assert_error(alice.api.get(INST, params={"nextToken": "x" * 3000}), 400, "ValidationException",
                 field="nextToken")


def test_authentication_comes_before_the_query_check(server: Server) -> None:
    with server.client() as anon:
        assert_error(anon.get(INST, params={"bogus": "1"}), 401, "AuthenticationError")
        assert_error(anon.post(INST, params={"dryRun": "maybe"}, json={}), 401, "AuthenticationError")
