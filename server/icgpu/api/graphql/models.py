"""GraphQL queries and mutations for model deployments and the model catalogue (the same services
as REST)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.model_deployment import (
    CatalogueModel,
    DeployModelInput,
    ModelDeployment,
    ModelDeploymentConnection,
    ModelDeploymentPayload,
    ScaleModelInput,
)
from icgpu.api.graphql.types.payloads import DryRun
from icgpu.db.tables_models import ModelDeployment as DeploymentRow
from icgpu.services import model_catalogue
from icgpu.services.models import ModelDeploy, ModelScaling
from icgpu.services.pagination import PageRequest

READ = [requires("models", "read")]
WRITE = [requires("models", "write")]


def _given(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _view(info: Info, d: DeploymentRow) -> ModelDeployment:
    return ModelDeployment.from_row(d, info.context.platform.model_deployments.upstream_kind(d))


def _payload(info: Info, d: DeploymentRow, dry_run: bool) -> ModelDeploymentPayload:
    return ModelDeploymentPayload(dry_run=dry_run, valid=True, model_deployment=_view(info, d))


@strawberry.type
class ModelQueries:
    @strawberry.field(permission_classes=READ, description="Your model deployments and those shared with your "
                      "teams, oldest first, one page at a time (deleted ones are not listed).")
    async def model_deployments(self, info: Info, max_results: int | None = None,
                                next_token: str | None = None) -> ModelDeploymentConnection:
        ctx = info.context
        page = await ctx.platform.model_deployments.list(await ctx.principal(), PageRequest(max_results, next_token))
        return ModelDeploymentConnection(items=[_view(info, d) for d in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ, description="A model deployment by its name.")
    async def model_deployment(self, info: Info, name: str) -> ModelDeployment:
        ctx = info.context
        return _view(info, await ctx.platform.model_deployments.get(await ctx.principal(), name))

    @strawberry.field(permission_classes=READ, description="The platform's pre-tested models, callable by alias "
                      "on /v1 (needs the models scope with read).")
    async def model_catalogue(self, info: Info) -> list[CatalogueModel]:
        entries = model_catalogue.listing(await info.context.principal())
        return [CatalogueModel.from_entry(e) for e in entries]


@strawberry.type
class ModelMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Deploy a model (its name is unique in the tenant "
                         "and may not be a catalogue alias).")
    async def deploy_model(self, info: Info, input: DeployModelInput,
                           dry_run: DryRun = False) -> ModelDeploymentPayload:
        ctx = info.context
        data = parse_input(ModelDeploy, _given(
            name=input.name, model=input.model, engine=input.engine, kind=input.kind,
            min_replicas=input.min_replicas, max_replicas=input.max_replicas, resource_profile=input.resource_profile,
            huggingface_token=input.huggingface_token, team_id=input.team_id))
        d = await ctx.platform.model_deployments.deploy(await ctx.principal(), data, dry_run=dry_run)
        return _payload(info, d, dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Change a deployment's replica bounds.")
    async def scale_model(self, info: Info, name: str, input: ScaleModelInput,
                          dry_run: DryRun = False) -> ModelDeploymentPayload:
        ctx = info.context
        data = parse_input(ModelScaling, _given(min_replicas=input.min_replicas, max_replicas=input.max_replicas))
        d = await ctx.platform.model_deployments.scale(await ctx.principal(), name, data, dry_run=dry_run)
        return _payload(info, d, dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Scale a deployment to zero now; the next call "
                         "wakes it.")
    async def stop_model(self, info: Info, name: str, dry_run: DryRun = False) -> ModelDeploymentPayload:
        ctx = info.context
        d = await ctx.platform.model_deployments.stop(await ctx.principal(), name, dry_run=dry_run)
        return _payload(info, d, dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Delete a deployment; its replicas are stopped.")
    async def delete_model(self, info: Info, name: str, dry_run: DryRun = False) -> ModelDeploymentPayload:
        ctx = info.context
        d = await ctx.platform.model_deployments.delete(await ctx.principal(), name, dry_run=dry_run)
        return _payload(info, d, dry_run)
