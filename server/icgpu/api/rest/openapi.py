"""The REST adapter's OpenAPI document (schema/openapi.json), as the routes really behave.

FastAPI's generated document is completed from each route's traits, so a new route is documented
by construction: no 422 (validation failures are 400 ValidationException), the shared error body
on every status a route can answer (400 always; 401/403/429 when authenticated; 404 with a path
parameter; 409 on writes, if only for a reused Idempotency-Key; 415 with a JSON body; 413 and 500
everywhere; a route's ``never`` removes what it cannot give),
the bearer security scheme and the Idempotency-Key header. GraphQL is described by
schema/schema.graphql, not here.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from icgpu.api.rest import schemas
from icgpu.api.rest.docs import NEVER
from icgpu.api.rest.route import HEADER, CheckedRoute
from icgpu.services.idempotency import MAX_KEY_LEN

REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": REF.format(model="Error")}
ERRORS = {
    400: "ValidationException: bad input, an unknown query parameter or a bad dryRun value (field names it)",
    401: "AuthenticationError: missing, malformed, expired or revoked credential",
    403: "AccessDeniedException: the credential lacks the scope or permission, or the team role is too low",
    404: "ResourceNotFoundException: no such resource visible to the caller (another tenant's is 404 too)",
    409: "ConflictException: state, name or quota conflict, or an Idempotency-Key reused with other parameters",
    413: "ValidationException: the request body is too large",
    415: "ValidationException: the request body is not application/json",
    429: "ThrottlingException: rate limit reached; see Retry-After",
    500: "InternalServiceException: unexpected error; quote the request_id",
}
DOCUMENTED_ELSEWHERE = ("/graphql",)
HEALTH: dict[str, type[BaseModel]] = {"/healthz": schemas.Health, "/readyz": schemas.Ready}


def error_statuses(route: APIRoute) -> list[int]:
    statuses = {413, 500}  # the body limit (api/limits.py) answers any request that declares too much
    if isinstance(route, CheckedRoute):
        statuses.add(400)
        if route.authenticated:
            statuses |= {401, 403, 429}
        if route.dependant.path_params:
            statuses.add(404)
        if route.is_write:
            statuses.add(409)
    if "requestBody" in (route.openapi_extra or {}):
        statuses |= {400, 415}
    return sorted(statuses - set((route.openapi_extra or {}).get(NEVER, ())))


def _complete(op: dict[str, Any], route: APIRoute, path: str) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    responses.pop("422", None)
    op.pop(NEVER, None)
    for status, response in responses.items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if status.startswith("2") and ("$ref" in schema or "anyOf" in schema):
            # the documented shape, without the run-time dict[str, Any] it was merged into
            for key in ("type", "additionalProperties", "title"):
                schema.pop(key, None)
    for code in error_statuses(route):
        responses[str(code)] = {"description": ERRORS[code],
                                "content": {"application/json": {"schema": ERROR_REF}}}
    if path in HEALTH:
        ok = responses.setdefault("200", {"description": "OK"})
        ok["content"] = {"application/json": {"schema": {"$ref": REF.format(model=HEALTH[path].__name__)}}}
    if isinstance(route, CheckedRoute) and route.authenticated:
        op["security"] = [{"bearer": []}]
        if route.is_write:
            op.setdefault("parameters", []).append({
                "in": "header", "name": HEADER, "required": False,
                "description": "replay-safe retries: the first answer is stored and replayed (dry runs are not)",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LEN},
            })


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for path in DOCUMENTED_ELSEWHERE:
        doc["paths"].pop(path, None)
    for ctx in iter_route_contexts(app.routes):
        route, path = ctx.original_route, ctx.path_format or ""
        if isinstance(route, APIRoute) and path in doc["paths"]:
            for method in route.methods or ():
                op = doc["paths"][path].get(method.lower())
                if op is not None:
                    _complete(op, route, path)
    components = doc.setdefault("components", {})
    found = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        found.pop(name, None)
    shown: list[type[BaseModel]] = [schemas.Error, *HEALTH.values()]
    _, extra = models_json_schema([(m, "serialization") for m in shown], ref_template=REF)
    found.update(extra.get("$defs", {}))
    components["securitySchemes"] = {"bearer": {
        "type": "http", "scheme": "bearer",
        "description": "an OIDC access token or an sk-ic- API key"}}
    return doc


def install(app: FastAPI) -> None:
    """Replace FastAPI's generated document with the one the routes really honour."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
