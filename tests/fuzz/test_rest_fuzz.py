"""Schemathesis against a live server on the committed ``schema/openapi.json``: every phase (examples,
coverage and fuzzing in one run, stateful in a second so it always gets its share of time), a fixed
seed, bounded examples and a wall-clock bound per run.

Fails on any 5xx, any response that does not match its documented schema, content type or headers,
and any undocumented status code. The stateful phase is fed real SSH keys, served tier ids and valid
names, and the test proves it created instances and keys that exist at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.engine.run import PhaseName

from tests.fuzz.runner import REST_CHECKS, FuzzRun, engine_config, phase_ran, run_engine
from tests.fuzz.valid_values import ValidValues
from tests.support.server import Server
from tests.support.tenants import Tenant, bootstrap_tenant

OPENAPI = Path(__file__).resolve().parents[2] / "schema" / "openapi.json"
# Seconds per run; the engine stops cleanly after the request in flight. Both runs end well before
# their bound on an idle machine: the bounds only matter on a loaded one. Every phase visits every
# operation, so both bounds grow with the document (2.0 s per operation for coverage and fuzzing, whose
# case generation in the test process takes about 40% of a run, and 1.2 s for the stateful run; never
# below 40 s for coverage and fuzzing, 20 s for the stateful run): fixed or tighter bounds let
# a larger API (101 operations) starve the fuzzing and stateful phases at a load of 4-5.
OPERATIONS = sum(1 for item in json.loads(OPENAPI.read_text())["paths"].values()
                 for method in item if method in ("get", "put", "post", "patch", "delete"))
FUZZ_TIME_BOUND = max(40.0, 2.0 * OPERATIONS)
STATEFUL_TIME_BOUND = max(20.0, 1.2 * OPERATIONS)
MAX_EXAMPLES = 12  # per operation and generation mode
STATEFUL_STEPS = 10
# Stateful scenarios: with ~100 operations, 12 scenarios of 10 steps no longer reached an instance
# follow-up (longer scenarios cost far more than more of them).
STATEFUL_SCENARIOS = 24
VALID_PROBABILITY = 0.85  # how often a bound field takes a valid value instead of a generated one

INSTANCES = "/api/v1/instances"
SSH_KEYS = "/api/v1/ssh-keys"
INSTANCE_PATHS = r"^/api/v1/(instances|ssh-keys)(/|$)"


def bindings() -> dict[str, Any]:
    """Body fields that draw from ValidValues' dictionaries (operations without the field ignore them)."""
    def bind(dictionary: str) -> dict[str, Any]:
        return {"dictionary": dictionary, "probability": VALID_PROBABILITY}

    return {"body.ssh_key": bind("ssh_keys"), "body.public_key": bind("ssh_keys"), "body.tier": bind("tiers"),
            "body.name": bind("names")}


@pytest.fixture(scope="module")
def fuzz_tenant(server: Server) -> Iterator[Tenant]:
    tenant = bootstrap_tenant(server, "fuzz-rest", "fuzz-rest@example.com")
    yield tenant
    tenant.close()


def run_phases(server: Server, tenant: Tenant, phases: tuple[str, ...], time_bound: float, *,
               max_examples: int = MAX_EXAMPLES, path_regex: str | None = None) -> FuzzRun:
    """One engine run of ``phases`` over the document (or only its paths matching ``path_regex``)."""
    values = ValidValues.for_server(server.url)
    config = schemathesis.Config.from_dict(engine_config(
        base_url=server.url, credential=tenant.token, checks=REST_CHECKS, phases=phases, max_examples=max_examples,
        stateful_steps=STATEFUL_STEPS, dictionaries=values.dictionaries(), bindings=bindings()))
    schema = schemathesis.openapi.from_path(OPENAPI, config=config)
    if path_regex is not None:
        schema = schema.include(path_regex=path_regex)
    run = run_engine(schema, time_bound=time_bound)
    print(f"{'+'.join(phases)}{' on ' + path_regex if path_regex else ''}: {run.report()}")
    return run


@pytest.fixture(scope="module")
def rest_run(server: Server, fuzz_tenant: Tenant) -> FuzzRun:
    return run_phases(server, fuzz_tenant, ("examples", "coverage", "fuzzing"), FUZZ_TIME_BOUND)


@pytest.fixture(scope="module")
def stateful_run(server: Server, fuzz_tenant: Tenant) -> FuzzRun:
    return run_phases(server, fuzz_tenant, ("stateful",), STATEFUL_TIME_BOUND, max_examples=STATEFUL_SCENARIOS)


@pytest.fixture(scope="module")
def instance_stateful_run(server: Server, fuzz_tenant: Tenant) -> FuzzRun:
    """The stateful phase on the instance and SSH key operations alone. Over the whole document (over
    100 operations) whether a scenario reaches POST /instances with a valid body and then follows one
    of its links is chance, and a CI run missed it; on these few operations it is what the phase does."""
    return run_phases(server, fuzz_tenant, ("stateful",), STATEFUL_TIME_BOUND, max_examples=STATEFUL_SCENARIOS,
                      path_regex=INSTANCE_PATHS)


def test_the_checks_catch_a_document_that_lies(server: Server, fuzz_tenant: Tenant) -> None:
    """The same configuration on a copy of the document that drops GET /instances/{id}'s 404 and
    promises a field no instance has: both must be reported (so a clean run means something)."""
    doc = json.loads(OPENAPI.read_text())
    path = "/api/v1/instances/{instance_id}"
    doc["paths"] = {path: {"get": doc["paths"][path]["get"]}}
    del doc["paths"][path]["get"]["responses"]["404"]
    instance = doc["components"]["schemas"]["Instance"]
    instance["required"] = [*instance.get("required", []), "no_such_field"]
    created = fuzz_tenant.api.post(INSTANCES, json={"name": "lie-check", "tier": ValidValues.for_server(
        server.url).tiers[0], "storage_gb": 10})
    assert created.status_code == 201, created.text
    config = schemathesis.Config.from_dict(engine_config(
        base_url=server.url, credential=fuzz_tenant.token, checks=REST_CHECKS, phases=("coverage", "fuzzing"),
        max_examples=10, stateful_steps=STATEFUL_STEPS, dictionaries={"ids": {"values": [created.json()["id"]]}},
        bindings={"path.instance_id": {"dictionary": "ids", "probability": 0.5}}))
    run = run_engine(schemathesis.openapi.from_dict(doc, config=config), time_bound=FUZZ_TIME_BOUND)
    found = {(f.check, f.status) for f in run.findings.values()}
    assert ("status_code_conformance", 404) in found and ("response_schema_conformance", 200) in found, run.report()


def test_every_response_is_documented_and_no_server_error(rest_run: FuzzRun) -> None:
    assert phase_ran(rest_run, PhaseName.FUZZING), rest_run.report()
    if rest_run.errors or rest_run.findings:
        pytest.fail(rest_run.report(), pytrace=False)


def test_stateful_sequences_are_documented_and_no_server_error(stateful_run: FuzzRun) -> None:
    if stateful_run.errors or stateful_run.findings:
        pytest.fail(stateful_run.report(), pytrace=False)


def created_ids(run: FuzzRun, path: str, *, phase: str | None = None) -> list[str]:
    return [x.body["id"] for x in run.responses("POST", f"POST {path}", phase=phase)
            if x.status == 201 and isinstance(x.body, dict) and isinstance(x.body.get("id"), str)]


def test_focused_stateful_sequences_are_documented_and_no_server_error(instance_stateful_run: FuzzRun) -> None:
    if instance_stateful_run.errors or instance_stateful_run.findings:
        pytest.fail(instance_stateful_run.report(), pytrace=False)


def test_stateful_phase_gets_past_creation(instance_stateful_run: FuzzRun, fuzz_tenant: Tenant) -> None:
    run = instance_stateful_run
    assert phase_ran(run, PhaseName.STATEFUL_TESTING), run.report()
    instances = created_ids(run, INSTANCES, phase="stateful")
    assert instances, "the stateful phase never created an instance: " + run.report()
    follow_ups = [x for x in run.exchanges
                  if x.phase == "stateful" and x.linked and "{instance_id}" in x.operation
                  and x.status is not None and 200 <= x.status < 300]
    assert follow_ups, "no stateful call used a created instance: " + run.report()
    # They are real rows: each created instance still reads back (a deleted one reads as terminated).
    for instance_id in instances:
        r = fuzz_tenant.api.get(f"{INSTANCES}/{instance_id}")
        assert r.status_code == 200 and r.json()["id"] == instance_id, r.text


def deleted_ids(runs: tuple[FuzzRun, ...], operation: str) -> set[str]:
    """Ids a successful ``operation`` (a DELETE ending in the id) removed, in any of ``runs``."""
    return {x.uri.split("?")[0].rsplit("/", 1)[-1] for run in runs for x in run.exchanges
            if x.operation == operation and x.status is not None and 200 <= x.status < 300}


def test_fuzzing_uploads_real_ssh_keys(rest_run: FuzzRun, stateful_run: FuzzRun, instance_stateful_run: FuzzRun,
                                      fuzz_tenant: Tenant) -> None:
    runs = (rest_run, stateful_run, instance_stateful_run)
    uploaded = {key for run in runs for key in created_ids(run, SSH_KEYS)}
    assert uploaded, "no SSH key upload got past validation: " + rest_run.report()
    kept = uploaded - deleted_ids(runs, f"DELETE {SSH_KEYS}/{{key_id}}")
    r = fuzz_tenant.api.get(SSH_KEYS, params={"maxResults": 100})
    assert r.status_code == 200, r.text
    stored = {k["id"] for k in r.json()["ssh_keys"]}
    assert kept and kept <= stored, f"uploaded {sorted(uploaded)}, not deleted {sorted(kept)}, stored {sorted(stored)}"
