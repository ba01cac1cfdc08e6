"""/api/v1/models (model deployments, addressed by name) and /api/v1/model-catalogue: protocol
mapping only, every rule is in the services. The catalogue has its own path so that no catalogue
route can be taken for a deployment's name."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from icgpu.api.rest import model_schemas as shapes
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.db.tables_models import ModelDeployment
from icgpu.platform import Platform
from icgpu.services import model_catalogue
from icgpu.services.model_catalogue import RESOURCE_PROFILES, CatalogueEntry
from icgpu.services.models import ModelDeploy, ModelScaling
from icgpu.services.validation import parse

router = APIRouter(prefix="/api/v1/models", tags=["models"], route_class=AuthedRoute)
catalogue = APIRouter(prefix="/api/v1/model-catalogue", tags=["models"], route_class=AuthedRoute)


def model_json(platform: Platform, d: ModelDeployment) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "model": d.model,
        "engine": d.engine,
        "kind": d.kind,
        "min_replicas": d.min_replicas,
        "max_replicas": d.max_replicas,
        "resource_profile": d.resource_profile,
        "gpu_tier": RESOURCE_PROFILES.get(d.resource_profile),
        "status": d.status,
        "status_reason": d.status_reason,
        "desired_replicas": d.desired_replicas,
        "ready_replicas": d.ready_replicas,
        "upstream": platform.model_deployments.upstream_kind(d),
        "huggingface_token_set": bool(d.has_hf_token),
        "team_id": d.team_id,
        "account_id": d.account_id or "",
        "created_at": d.created_at.isoformat(),
        "updated_at": d.updated_at.isoformat(),
        "deleted_at": d.deleted_at.isoformat() if d.deleted_at else None,
    }


def catalogue_json(e: CatalogueEntry) -> dict[str, Any]:
    return {"alias": e.alias, "huggingface_id": e.huggingface_id, "engine": e.engine,
            "resource_profile": e.resource_profile, "gpu_tier": e.gpu_tier, "context_length": e.context_length,
            "token_multiplier": e.token_multiplier, "kind": e.kind, "description": e.description}


@router.post("", **operation(shapes.ModelDeployment, status=201, body=ModelDeploy,
                             dry_run=shapes.DryRunModelDeployment, summary="Deploy Model"))
async def deploy_model(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                       dry_run: DryRun) -> dict[str, Any]:
    data = parse(ModelDeploy, await read_json(request))
    d = await platform.model_deployments.deploy(principal, data, dry_run=dry_run)
    return created(response, dry_run, "model", model_json(platform, d), f"/api/v1/models/{d.name}")


@router.get("", **operation(shapes.ModelDeploymentList, summary="List Model Deployments"))
async def list_models(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.model_deployments.list(principal, page)
    return ok(platform, {"models": [model_json(platform, d) for d in result.items], "nextToken": result.next_token})


@router.get("/{name}", **operation(shapes.ModelDeployment, summary="Get Model Deployment"))
async def get_model(name: str, platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, model_json(platform, await platform.model_deployments.get(principal, name)))


@router.put("/{name}/scaling", **operation(shapes.ModelDeployment, body=ModelScaling,
                                           dry_run=shapes.DryRunModelDeployment, summary="Scale Model Deployment"))
async def scale_model(name: str, request: Request, platform: PlatformDep, principal: CurrentPrincipal,
                      dry_run: DryRun) -> dict[str, Any]:
    data = parse(ModelScaling, await read_json(request))
    d = await platform.model_deployments.scale(principal, name, data, dry_run=dry_run)
    return written(dry_run, "model", model_json(platform, d))


@router.post("/{name}/stop", **operation(shapes.ModelDeployment, dry_run=shapes.DryRunModelDeployment,
                                         summary="Stop Model Deployment"))
async def stop_model(name: str, platform: PlatformDep, principal: CurrentPrincipal,
                     dry_run: DryRun) -> dict[str, Any]:
    d = await platform.model_deployments.stop(principal, name, dry_run=dry_run)
    return written(dry_run, "model", model_json(platform, d))


@router.delete("/{name}", **operation(shapes.ModelDeployment, dry_run=shapes.DryRunModelDeployment,
                                      summary="Delete Model Deployment"))
async def delete_model(name: str, platform: PlatformDep, principal: CurrentPrincipal,
                       dry_run: DryRun) -> dict[str, Any]:
    d = await platform.model_deployments.delete(principal, name, dry_run=dry_run)
    return written(dry_run, "model", model_json(platform, d))


@catalogue.get("", **operation(shapes.ModelCatalogue, summary="List Model Catalogue"))
async def list_catalogue(platform: PlatformDep, principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, {"models": [catalogue_json(e) for e in model_catalogue.listing(principal)]})
