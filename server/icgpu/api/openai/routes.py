"""The /v1 routes: plain Starlette endpoints (no FastAPI dependency pass on the hot path), each
authenticating first (a credential on every route; the ``llm`` rate-limit group), then reading the
JSON body and handing it to the gateway (``icgpu.gateway.inference``), which holds every rule."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from icgpu.api.errors import request_id_of
from icgpu.api.openai.responses import respond
from icgpu.api.principal import get_platform, resolve_principal
from icgpu.api.rest.body import read_json
from icgpu.api.rest.route import refuse_query
from icgpu.auth.principal import Principal
from icgpu.gateway.inference import InferenceGateway, unshared_reads


def _gateway(request: Request) -> InferenceGateway:
    return get_platform(request).gateway


async def _authenticate(request: Request) -> Principal:
    """The caller (a credential on every route; the ``llm`` rate-limit group), read without keeping
    a pooled connection for the rest of the call (see ``unshared_reads``)."""
    async with unshared_reads(get_platform(request).db):
        return await resolve_principal(request)


async def chat_completions(request: Request) -> Response:
    principal = await _authenticate(request)
    refuse_query(request)
    body = await read_json(request)
    return respond(await _gateway(request).chat(principal, body, request_id_of(request)))


async def embeddings(request: Request) -> Response:
    principal = await _authenticate(request)
    refuse_query(request)
    body = await read_json(request)
    return respond(await _gateway(request).embeddings(principal, body, request_id_of(request)))


async def models(request: Request) -> Response:
    principal = await _authenticate(request)
    refuse_query(request)
    return respond(await _gateway(request).models(principal))


async def model(request: Request) -> Response:
    principal = await _authenticate(request)
    refuse_query(request)
    return respond(await _gateway(request).model(principal, request.path_params["model"]))


ROUTES: list[BaseRoute] = [
    Route("/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/v1/embeddings", embeddings, methods=["POST"]),
    Route("/v1/models", models, methods=["GET"]),
    Route("/v1/models/{model:path}", model, methods=["GET"]),
]


def install(app: FastAPI) -> None:
    """Mount the /v1 routes first (the busiest paths are matched first)."""
    app.router.routes[0:0] = ROUTES
