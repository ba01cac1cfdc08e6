"""What each REST operation documents: its JSON body, its success shapes and its dry-run shape.

``operation(...)`` returns the keyword arguments of a route decorator. The shapes are documented
only: at run time the response model stays ``dict[str, Any]``, which pydantic dumps straight to
JSON (validating responses through the shape models, or ``response_model=None`` and its
``jsonable_encoder``, would cost far more per call). openapi.py keeps the documented shape and adds
the error responses every operation can give from the route's own traits.
"""

from __future__ import annotations

from typing import Any, Union

from pydantic import BaseModel

from icgpu.api.rest.route import SECRET_FIELDS, json_body

NEVER = "x-icgpu-never"  # read and removed by openapi.py


def operation(
    ok: type[BaseModel],
    *,
    status: int = 200,
    body: type[BaseModel] | None = None,
    secrets: tuple[str, ...] = (),
    dry_run: type[BaseModel] | None = None,
    summary: str | None = None,
    never: tuple[int, ...] = (),
) -> dict[str, Any]:
    """``never``: error statuses this route cannot give although its traits suggest them (e.g. 403
    for /me, which needs no scope)."""
    responses: dict[int | str, dict[str, Any]] = {}
    if dry_run is not None and status == 200:
        responses[200] = {"model": Union[ok, dry_run],  # noqa: UP007 (a runtime type for FastAPI)
                          "description": f"the {ok.__name__}; with dryRun=true, what the call would do"}
    else:
        responses[status] = {"model": ok, "description": "created" if status == 201 else "OK"}
        if dry_run is not None:
            responses[200] = {"model": dry_run, "description": "dryRun=true: what the call would create"}
    kwargs: dict[str, Any] = {"status_code": status, "response_model": dict[str, Any], "responses": responses}
    extra: dict[str, Any] = {}
    if body is not None:
        extra = json_body(body, secrets=secrets)
    elif secrets:
        extra[SECRET_FIELDS] = list(secrets)
    if never:
        extra[NEVER] = list(never)
    if extra:
        kwargs["openapi_extra"] = extra
    if summary:
        kwargs["summary"] = summary
    return kwargs
