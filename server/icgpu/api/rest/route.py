"""The route classes of the REST adapter.

``CheckedRoute`` (every /api/v1 route): unknown or repeated query parameters are a 400 naming the
parameter, and ``dryRun`` is true or false, nothing else. On a write route ``dryRun=true`` is
honoured only when the handler declares the ``DryRun`` dependency (deps.py); any other write route
refuses it with a 400, so a write can never silently ignore a dry run.

``AuthedRoute`` also authenticates before anything is parsed, then applies ``Idempotency-Key`` to
writes (first response stored and replayed, key echoed). A dry run checks the key (the same key
with other parameters is still a 409) but is never stored under it, so the real call may reuse it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from icgpu.api.errors import as_api_error, error_response, request_id_of
from icgpu.api.principal import get_platform, resolve_principal
from icgpu.api.rest.deps import dry_run_flag
from icgpu.errors import ValidationError
from icgpu.services.idempotency import Claim, Replay, canonical_json, fingerprint

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"
DRY_RUN = "dryRun"
SECRET_FIELDS = "x-icgpu-secret-fields"
REPLAYED_HEADERS = ("Location",)
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def request_fingerprint(request: Request, body: bytes) -> str:
    try:
        canonical = canonical_json(json.loads(body)) if body else b""
    except (ValueError, UnicodeDecodeError, RecursionError):
        canonical = body
    return fingerprint(request.method.encode(), request.url.path.encode(), request.url.query.encode(), canonical)


def json_body(model: type[BaseModel], *, secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    """Route options: document the JSON body (read by ``body.read_json`` after authentication, so
    FastAPI does not parse it) and name the response fields that hold a secret shown once: those
    are never stored for Idempotency-Key replays, which answer them as null. The schema is the
    service's input model's: what its validators enforce beyond types (a name pattern, the tier
    enum, exactly one of two fields) is declared on the model with ``json_schema_extra``."""
    schema = model.model_json_schema()
    options: dict[str, Any] = {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
    if secrets:
        options[SECRET_FIELDS] = list(secrets)
    return options


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


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _shown(name: str) -> str:
    return name if len(name) <= 64 and name.isprintable() else repr(name[:64])


def refuse_query(request: Request) -> None:
    """400 for any query parameter, on a route outside the checked routes that takes none (``/v1``)."""
    for name in request.query_params:
        raise ValidationError(f"unknown query parameter {_shown(name)}; this route accepts: none", field=name,
                              code="UnknownParameter")


def parse_dry_run(value: str) -> bool:
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValidationError(f"{DRY_RUN}: must be true or false, not {_shown(value)}", field=DRY_RUN)


class CheckedRoute(APIRoute):
    """An /api/v1 route whose query string is checked before the handler runs."""

    authenticated = False

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        tree = list(_dependants(self.dependant))
        self.query_names = frozenset(p.alias for d in tree for p in d.query_params)
        self.is_write = bool((self.methods or set()) & WRITE_METHODS)
        self.honours_dry_run = any(d.call is dry_run_flag for d in tree)
        if self.honours_dry_run and not self.is_write:
            raise TypeError(f"{path}: only write routes take dryRun")

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return tuple((self.openapi_extra or {}).get(SECRET_FIELDS, ()))

    def check_query(self, request: Request) -> bool:
        """400 for an unknown, repeated or malformed query parameter; returns the dry-run flag."""
        seen: set[str] = set()
        dry_run = False
        for name, value in request.query_params.multi_items():
            if name in seen:
                raise ValidationError(f"query parameter {_shown(name)} is given more than once", field=name,
                                      code="RepeatedParameter")
            seen.add(name)
            if name == DRY_RUN and self.is_write:
                dry_run = parse_dry_run(value)
            elif name not in self.query_names:
                accepted = ", ".join(sorted(self.query_names | ({DRY_RUN} if self.is_write else set()))) or "none"
                raise ValidationError(f"unknown query parameter {_shown(name)}; this route accepts: {accepted}",
                                      field=name, code="UnknownParameter")
        if dry_run and not self.honours_dry_run:
            raise ValidationError(f"{request.method} {self.path} has no dry run; call it without dryRun=true",
                                  field=DRY_RUN, code="DryRunNotSupported")
        return dry_run

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            self.check_query(request)
            return await handler(request)

        return route


class AuthedRoute(CheckedRoute):
    authenticated = True

    def get_route_handler(self) -> Handler:
        handler = APIRoute.get_route_handler(self)

        async def route(request: Request) -> Response:
            principal = await resolve_principal(request)
            dry_run = self.check_query(request)
            key = request.headers.get(HEADER)
            if key is None or not self.is_write:
                return await handler(request)
            idem = get_platform(request).idempotency
            outcome = await idem.begin(principal.account_id, key, request_fingerprint(request, await request.body()))
            if isinstance(outcome, Replay):
                return Response(outcome.body, status_code=outcome.status, media_type="application/json",
                                headers={**outcome.headers, HEADER: key, "Idempotent-Replayed": "true"})
            response = await self._run(handler, request)
            await self._settle(request, outcome, response, dry_run=dry_run)
            response.headers[HEADER] = key
            return response

        return route

    @staticmethod
    async def _run(handler: Handler, request: Request) -> Response:
        try:
            return await handler(request)
        except Exception as exc:
            return error_response(as_api_error(exc, request_id_of(request)), request_id_of(request))

    async def _settle(self, request: Request, claim: Claim, response: Response, *, dry_run: bool) -> None:
        """Store the answer for replays, or free the key (dry runs and server errors)."""
        idem = get_platform(request).idempotency
        if dry_run or response.status_code >= 500:
            await idem.release(claim)
            return
        stored = redact(bytes(response.body).decode(), self.secret_fields)
        kept = {h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers}
        await idem.complete(claim, response.status_code, stored, kept)
