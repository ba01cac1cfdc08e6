"""Run schemathesis' engine (the one behind ``schemathesis run``) from Python, bounded in examples and
in wall-clock time, and collect what it found in a form a test can assert on and print.

Every request and response of the run is kept (``FuzzRun.exchanges``), so a test can prove that the
stateful phase really created resources rather than bouncing off validation.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.engine import Status, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.engine.run import PhaseName

SEED = 20240611
# Checks every run applies (GraphQL adds its own, see graphql_checks.py).
REST_CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance",
               "content_type_conformance", "response_headers_conformance")
# Keep request details readable in failure reports, but never print the caller's credential.
OUTPUT = {"sanitization": {"enabled": True, "keys-to-sanitize": ["authorization", "cookie", "set-cookie"],
                           "sensitive-markers": ["private"]},
          "truncation": {"enabled": True, "max-payload-size": 600}}


PHASES = ("examples", "coverage", "fuzzing", "stateful")


def engine_config(*, base_url: str, credential: str, checks: Iterable[str], phases: Iterable[str], max_examples: int,
                  stateful_steps: int, dictionaries: dict[str, Any], bindings: dict[str, Any]) -> dict[str, Any]:
    """A schemathesis configuration (the ``schemathesis.toml`` shape) with a fixed seed, only ``checks`` and
    only ``phases`` (of PHASES).

    ``credential`` is the tenant's OIDC token, not its API key: the fuzzer calls DELETE /api-keys/{id}
    and revokeApiKey with ids it has seen, and would revoke its own key mid-run (then every later
    request is a 401 and tests nothing).
    """
    on = set(phases)
    assert on <= set(PHASES), on
    return {
        "seed": SEED,
        # Hypothesis' health checks judge the generator and the machine, not the server: a plain string
        # path parameter leaves negative generation little to mutate ("too many examples filtered out",
        # which failed a CI run on one operation of a hundred), and a loaded machine trips "too slow".
        # Either aborted the whole run; a filtered example is simply not sent.
        "suppress-health-check": ["filter_too_much", "too_slow"],
        "base-url": base_url,
        "headers": {"Authorization": f"Bearer {credential}"},
        "workers": 1,
        "request-timeout": 30,
        "output": OUTPUT,
        "generation": {"mode": "all", "max-examples": max_examples, "deterministic": True, "database": "none"},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
        "phases": {**{phase: {"enabled": phase in on} for phase in PHASES},
                   "stateful": {"enabled": "stateful" in on, "max-steps": stateful_steps}},
        "dictionaries": dictionaries,
        "parameters": bindings,
    }


@dataclass(frozen=True)
class Finding:
    """One failed check on one request (deduplicated by operation, check and title)."""

    phase: str
    operation: str
    check: str
    title: str
    message: str
    reproduce: str
    status: int | None
    response: str  # the start of the response body

    def key(self) -> tuple[str, str, str, int | None]:
        return self.operation, self.check, self.title, self.status

    def render(self) -> str:
        lines = [f"[{self.phase}] {self.operation}: {self.check} -> {self.title} (HTTP {self.status})",
                 *("    " + line for line in self.message.strip().splitlines()[:14]),
                 *("    $ " + line for line in self.reproduce.strip().splitlines()[-3:]),
                 f"    response: {self.response}"]
        return "\n".join(lines)


@dataclass(frozen=True)
class Exchange:
    """One request the run sent and the response it got."""

    phase: str
    operation: str
    method: str
    uri: str
    status: int | None
    body: Any  # the decoded JSON response, or None
    linked: bool  # made by a stateful transition from an earlier response


@dataclass
class FuzzRun:
    findings: dict[tuple[str, str, str, int | None], Finding] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)  # phase -> final status (or skip reason)
    errors: list[str] = field(default_factory=list)  # engine errors: a crashed hook, an unreachable server
    elapsed: float = 0.0
    hit_time_bound: bool = False

    def report(self) -> str:
        ok = {phase: sum(1 for x in self.exchanges if x.phase == phase and x.status and x.status < 300)
              for phase in dict.fromkeys(x.phase for x in self.exchanges)}
        head = [f"schemathesis: {len(self.exchanges)} requests in {self.elapsed:.1f} s"
                + (" (stopped at the time bound)" if self.hit_time_bound else "")
                + f"; phases {self.phases}; 2xx responses per phase {ok}; {len(self.findings)} distinct failures"]
        errors = [f"engine error: {e}" for e in self.errors]
        return "\n\n".join(head + errors + [f.render() for f in self.findings.values()])

    def responses(self, method: str, operation: str, *, phase: str | None = None) -> list[Exchange]:
        return [x for x in self.exchanges
                if x.method == method and x.operation == operation and (phase is None or x.phase == phase)]

    def record(self, phase: str, recorder: ScenarioRecorder) -> None:
        for case_id, node in recorder.cases.items():
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction is not None else None
            case = node.value
            self.exchanges.append(Exchange(
                phase=phase, operation=case.operation.label, method=case.method.upper(),
                uri=interaction.request.uri if interaction is not None else "",
                status=response.status_code if response is not None else None,
                body=_json_or_none(response), linked=node.transition is not None,
            ))
            for check in recorder.checks.get(case_id, []):
                info = check.failure_info
                if check.status != Status.FAILURE or info is None:
                    continue
                failure = info.failure
                finding = Finding(phase=phase, operation=failure.operation or case.operation.label, check=check.name,
                                  title=failure.title, message=failure.message, reproduce=info.code_sample,
                                  status=response.status_code if response is not None else None,
                                  response=_start_of_body(response))
                self.findings.setdefault(finding.key(), finding)


def _start_of_body(response: Any, limit: int = 300) -> str:
    if response is None:
        return "(no response)"
    return response.content[:limit].decode("utf-8", "replace")


def _json_or_none(response: Any) -> Any:
    if response is None:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def run_engine(schema: schemathesis.BaseSchema, *, time_bound: float) -> FuzzRun:
    """Every phase of the engine against ``schema``; stopped cleanly once ``time_bound`` seconds passed."""
    run = FuzzRun()
    start = time.monotonic()
    stream = from_schema(schema).execute()
    for event in stream:
        if not run.hit_time_bound and time.monotonic() - start > time_bound:
            run.hit_time_bound = True
            stream.stop()  # the engine finishes the current request and ends with EngineFinished
        if isinstance(event, events.ScenarioFinished):
            run.record(event.phase.value, event.recorder)
        elif isinstance(event, events.PhaseFinished):
            skip = event.phase.skip_reason
            run.phases[event.phase.name.value] = event.status.value + (f" ({skip.value})" if skip else "")
        elif isinstance(event, events.NonFatalError):
            run.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            run.errors.append(f"fatal: {event.exception!r}")
    run.elapsed = time.monotonic() - start
    return run


def phase_ran(run: FuzzRun, phase: PhaseName) -> bool:
    """Whether ``phase`` sent requests (it was neither skipped nor left out)."""
    return run.phases.get(phase.value, "skip").split()[0] in (Status.SUCCESS, Status.FAILURE, Status.ERROR)
