"""The check GraphQL responses get instead of schemathesis' ``not_a_server_error``.

Schemathesis counts every resolver error that carries a ``path`` as a server error, but this API
reports client mistakes (ValidationException, ResourceNotFoundException, ...) from resolvers too.
What marks a server fault here is the error contract: an HTTP 5xx, or an error whose
``extensions.code`` is InternalServiceException (or whose ``extensions.status`` is 5xx). Every error
must carry a code at all.
"""

from __future__ import annotations

from typing import Any

import schemathesis

INTERNAL = "InternalServiceException"
CHECK_NAME = "graphql_error_contract"


def contract_violations(status_code: int, payload: Any) -> list[str]:
    """What is wrong with one GraphQL response (empty when nothing is)."""
    if status_code >= 500:
        return [f"HTTP {status_code}"]
    if not isinstance(payload, dict):
        return [f"the response is not a JSON object: {payload!r:.200}"]
    problems = []
    for error in payload.get("errors") or []:
        ext = error.get("extensions") if isinstance(error, dict) else None
        code = ext.get("code") if isinstance(ext, dict) else None
        status = ext.get("status") if isinstance(ext, dict) else None
        if code is None:
            problems.append(f"an error without extensions.code: {error!r:.300}")
        elif code == INTERNAL or (isinstance(status, int) and status >= 500):
            problems.append(f"{code} (status {status}) at {error.get('path')}: {error.get('message')}")
    return problems


@schemathesis.check
def graphql_error_contract(ctx: schemathesis.CheckContext, response: schemathesis.Response,
                           case: schemathesis.Case) -> bool | None:
    try:
        payload = response.json()
    except ValueError:
        payload = response.content[:200]
    problems = contract_violations(response.status_code, payload)
    if problems:
        raise AssertionError("GraphQL server error: " + "; ".join(problems))
    return None
