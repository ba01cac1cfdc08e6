"""Schemathesis against the live ``/graphql`` endpoint (its introspected schema), with the same
OIDC token (see runner.engine_config), a fixed seed, bounded examples and a wall-clock bound.

Fails on an HTTP 5xx, an error with extensions.code InternalServiceException (or without a code),
and a response that is not a GraphQL response or breaks the schema's non-null promises. Mutations
draw real SSH keys, served tier ids and valid names, and the test proves instances and keys were
created and exist at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

from tests.fuzz.graphql_checks import CHECK_NAME, contract_violations
from tests.fuzz.runner import PHASES, FuzzRun, engine_config, run_engine
from tests.fuzz.valid_values import ValidValues
from tests.support.server import Server
from tests.support.tenants import Tenant, bootstrap_tenant

TIME_BOUND = 25.0
MAX_EXAMPLES = 10
STATEFUL_STEPS = 6
VALID_PROBABILITY = 0.85
CHECKS = (CHECK_NAME, "response_schema_conformance")


def bindings() -> dict[str, Any]:
    """GraphQL arguments (``Type.field.argument path``) that draw from ValidValues' dictionaries."""
    def bind(dictionary: str) -> dict[str, Any]:
        return {"dictionary": dictionary, "probability": VALID_PROBABILITY}

    return {"Mutation.createInstance.input.sshKey": bind("ssh_keys"),
            "Mutation.createInstance.input.tier": bind("tiers"),
            "Mutation.createInstance.input.name": bind("names"),
            "Mutation.uploadSshKey.input.publicKey": bind("ssh_keys"),
            "Mutation.uploadSshKey.input.name": bind("names")}


@pytest.fixture(scope="module")
def fuzz_tenant(server: Server) -> Iterator[Tenant]:
    tenant = bootstrap_tenant(server, "fuzz-graphql", "fuzz-graphql@example.com")
    yield tenant
    tenant.close()


@pytest.fixture(scope="module")
def graphql_run(server: Server, fuzz_tenant: Tenant) -> FuzzRun:
    values = ValidValues.for_server(server.url)
    config = schemathesis.Config.from_dict(engine_config(
        base_url=server.url + "/graphql", credential=fuzz_tenant.token, checks=CHECKS, phases=PHASES,
        max_examples=MAX_EXAMPLES,
        stateful_steps=STATEFUL_STEPS, dictionaries=values.dictionaries(), bindings=bindings()))
    schema = schemathesis.graphql.from_url(server.url + "/graphql", config=config,
                                          headers={"Authorization": f"Bearer {fuzz_tenant.token}"})
    run = run_engine(schema, time_bound=TIME_BOUND)
    print(run.report())
    return run


def test_the_error_contract_check_can_fail() -> None:
    assert contract_violations(200, {"errors": [{"message": "x", "path": ["a"],
                                                 "extensions": {"code": "InternalServiceException", "status": 500}}]})
    assert contract_violations(502, {"data": None})
    assert contract_violations(200, {"errors": [{"message": "no code"}]})
    assert not contract_violations(200, {"data": None, "errors": [
        {"message": "bad", "path": ["a"], "extensions": {"code": "ValidationException", "status": 400}}]})


def test_no_graphql_server_error(graphql_run: FuzzRun) -> None:
    assert graphql_run.exchanges, "the GraphQL run sent nothing: " + graphql_run.report()
    if graphql_run.errors or graphql_run.findings:
        pytest.fail(graphql_run.report(), pytrace=False)


def successes(run: FuzzRun, mutation: str) -> int:
    """How many ``mutation`` calls returned data (the selection set is random, so ids may be absent)."""
    return sum(1 for x in run.exchanges if x.operation == f"Mutation.{mutation}" and isinstance(x.body, dict)
               and isinstance(x.body.get("data"), dict) and x.body["data"].get(mutation) is not None)


def test_mutations_get_past_validation(graphql_run: FuzzRun, fuzz_tenant: Tenant) -> None:
    assert successes(graphql_run, "createInstance") and successes(graphql_run, "uploadSshKey"), graphql_run.report()
    # The tenant exists only for this run, so what it owns now was created by the fuzzer.
    for path, field in (("/api/v1/instances", "instances"), ("/api/v1/ssh-keys", "ssh_keys")):
        r = fuzz_tenant.api.get(path, params={"maxResults": 100})
        assert r.status_code == 200, r.text
        assert r.json()[field], f"the GraphQL run left no {field} behind"
