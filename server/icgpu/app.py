"""create_app(settings): mounts the REST, OpenAI and GraphQL adapters, health, the dev issuer and the UIs."""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from icgpu.api import errors, ui
from icgpu.api.encoding import FastJSONResponse
from icgpu.api.graphql.router import graphql_router
from icgpu.api.middleware import RequestIdMiddleware
from icgpu.api.openai import routes as openai_routes
from icgpu.api.read_scope import ReadScopeMiddleware
from icgpu.api.rest import clusters as clusters_rest
from icgpu.api.rest import dev_oidc, health, identity, instances, openapi, ssh_keys
from icgpu.api.rest import functions as functions_rest
from icgpu.api.rest import models as models_rest  # issue 11: model deployments
from icgpu.api.rest import notifications as notifications_rest  # issue 11: tokens
from icgpu.api.rest import quotas as quotas_rest
from icgpu.api.rest import slurm as slurm_rest
from icgpu.api.rest import spending_alerts as spending_alerts_rest  # issue 11: tokens
from icgpu.api.rest import tokens as tokens_rest  # issue 11: tokens
from icgpu.api.rest import vm_disks as vm_disks_rest
from icgpu.api.rest import vm_networks as vm_networks_rest
from icgpu.api.rest import vms as vms_rest
from icgpu.platform import Platform
from icgpu.runtime import tune_gc_after_startup
from icgpu.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    settings = settings or Settings()
    platform = platform or Platform(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await platform.start(workers=settings.run_workers)
        tune_gc_after_startup()
        try:
            yield
        finally:
            await platform.stop()

    app = FastAPI(
        title="IC GPU",
        version="0.1.0",
        description="Control plane for a GPU cloud: REST (/api/v1), OpenAI-compatible (/v1) and GraphQL.",
        lifespan=lifespan,
        default_response_class=FastJSONResponse if settings.fast_paths else JSONResponse,
        docs_url=None,  # ui.install serves /docs and /redoc with local assets
        redoc_url=None,
    )
    app.state.platform = platform
    if platform.dev_issuer is not None:
        # The dev issuer's documents are fetched from this very app, through the same HTTP client
        # code that talks to a real identity provider.
        platform.use_oidc_transport(httpx.ASGITransport(app=app))
    errors.install(app)
    # Routes are matched in this order, one by one: the busiest paths first (no two overlap).
    app.include_router(graphql_router(platform), prefix="/graphql")
    app.include_router(instances.router)
    app.include_router(instances.public)
    app.include_router(health.router)
    app.include_router(dev_oidc.router)
    app.include_router(identity.router)
    app.include_router(ssh_keys.router)
    app.include_router(slurm_rest.router)
    app.include_router(clusters_rest.router)
    app.include_router(functions_rest.router)
    app.include_router(models_rest.router)  # /api/v1/models/{name}: deployments by name
    app.include_router(models_rest.catalogue)  # /api/v1/model-catalogue
    app.include_router(quotas_rest.router)
    app.include_router(tokens_rest.router)  # issue 11: tokens
    app.include_router(spending_alerts_rest.router)
    app.include_router(notifications_rest.router)
    app.include_router(vm_disks_rest.router)
    app.include_router(vms_rest.public)
    app.include_router(vms_rest.router)
    app.include_router(vm_networks_rest.router)
    openai_routes.install(app)  # /v1, matched first
    ui.install(app)
    app.add_middleware(ReadScopeMiddleware, db=platform.db)  # inside RequestIdMiddleware
    app.add_middleware(RequestIdMiddleware)
    openapi.install(app)
    return app


def export_openapi() -> str:
    """The REST adapter's OpenAPI document, as committed in schema/openapi.json."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp)))
        return json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n"
