"""The route class for authenticated routes: authenticate before anything is parsed, then apply
``Idempotency-Key`` to writes (first response stored and replayed, key echoed)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from icgpu.api.errors import as_api_error, error_response, request_id_of
from icgpu.api.principal import get_platform, resolve_principal
from icgpu.services.idempotency import Replay, canonical_json, fingerprint

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"
SECRET_FIELDS = "x-icgpu-secret-fields"
REPLAYED_HEADERS = ("Location",)


def request_fingerprint(request: Request, body: bytes) -> str:
    try:
        canonical = canonical_json(json.loads(body)) if body else b""
    except (ValueError, UnicodeDecodeError, RecursionError):
        canonical = body
    return fingerprint(request.method.encode(), request.url.path.encode(), request.url.query.encode(), canonical)


def json_body(model: type[BaseModel], *, secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    """Route options: document the JSON body (read by ``body.read_json`` after authentication, so
    FastAPI does not parse it) and name the response fields that hold a secret shown once: those
    are never stored for Idempotency-Key replays, which answer them as null."""
    extra: dict[str, Any] = {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}
    if secrets:
        extra[SECRET_FIELDS] = list(secrets)
    return extra


def redact(body: str, names: tuple[str, ...]) -> str:
    if not names:
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if isinstance(data, dict):
        for name in names:
            if name in data:
                data[name] = None
    return json.dumps(data, separators=(",", ":"))


class AuthedRoute(APIRoute):
    @property
    def secret_fields(self) -> tuple[str, ...]:
        return tuple((self.openapi_extra or {}).get(SECRET_FIELDS, ()))

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            principal = await resolve_principal(request)
            key = request.headers.get(HEADER)
            if key is None or request.method not in WRITE_METHODS:
                return await handler(request)
            idem = get_platform(request).idempotency
            outcome = await idem.begin(principal.account_id, key, request_fingerprint(request, await request.body()))
            if isinstance(outcome, Replay):
                return Response(outcome.body, status_code=outcome.status, media_type="application/json",
                                headers={**outcome.headers, HEADER: key, "Idempotent-Replayed": "true"})
            try:
                response = await handler(request)
            except Exception as exc:
                response = error_response(as_api_error(exc, request_id_of(request)), request_id_of(request))
            if response.status_code >= 500:
                await idem.release(outcome)
            else:
                stored = redact(bytes(response.body).decode(), self.secret_fields)
                kept = {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers}
                await idem.complete(outcome, response.status_code, stored, kept)
            response.headers[HEADER] = key
            return response

        return route
