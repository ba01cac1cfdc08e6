"""GraphQL types for model deployments and the model catalogue (the Hugging Face token never
appears: only whether one is set)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from icgpu.api.graphql.types.payloads import MutationPayload
from icgpu.db.tables_models import ModelDeployment as DeploymentRow
from icgpu.services.model_catalogue import RESOURCE_PROFILES, CatalogueEntry


@strawberry.type(description="A model served by replicas of an OpenAI-compatible engine, addressed by its name.")
class ModelDeployment:
    id: strawberry.ID
    name: str = strawberry.field(description="Unique in the tenant; the model name of /v1 calls.")
    model: str = strawberry.field(description="The Hugging Face id served.")
    engine: str = strawberry.field(description="vllm, sglang or ollama")
    kind: str = strawberry.field(description="chat or embedding")
    min_replicas: int
    max_replicas: int
    resource_profile: str
    gpu_tier: str | None = strawberry.field(description="The GPU tier of each replica's slot (null: cpu).")
    status: str = strawberry.field(description="pending, scaling, ready, scaled_to_zero, stopped or deleted")
    status_reason: str | None
    desired_replicas: int = strawberry.field(description="Replicas the scaler wants now.")
    ready_replicas: int = strawberry.field(description="Replicas answering calls now.")
    upstream: str = strawberry.field(description="dev_engine (built-in development engine replicas) or external "
                                                 "(the operator's engine)")
    huggingface_token_set: bool = strawberry.field(description="Whether a Hugging Face token is stored; it is "
                                                               "never returned.")
    team_id: str | None
    account_id: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def from_row(cls, d: DeploymentRow, upstream: str) -> ModelDeployment:
        return cls(id=strawberry.ID(d.id), name=d.name, model=d.model, engine=d.engine, kind=d.kind,
                   min_replicas=d.min_replicas, max_replicas=d.max_replicas, resource_profile=d.resource_profile,
                   gpu_tier=RESOURCE_PROFILES.get(d.resource_profile), status=d.status,
                   status_reason=d.status_reason, desired_replicas=d.desired_replicas,
                   ready_replicas=d.ready_replicas, upstream=upstream, huggingface_token_set=bool(d.has_hf_token),
                   team_id=d.team_id, account_id=d.account_id or "", created_at=d.created_at,
                   updated_at=d.updated_at, deleted_at=d.deleted_at)


@strawberry.type(description="A pre-tested model of the platform's catalogue, callable by its alias.")
class CatalogueModel:
    alias: str
    huggingface_id: str
    engine: str
    resource_profile: str
    gpu_tier: str | None
    context_length: int
    token_multiplier: float = strawberry.field(description="A call costs (prompt + completion tokens) x this.")
    kind: str = strawberry.field(description="chat or embedding")
    description: str

    @classmethod
    def from_entry(cls, e: CatalogueEntry) -> CatalogueModel:
        return cls(alias=e.alias, huggingface_id=e.huggingface_id, engine=e.engine,
                   resource_profile=e.resource_profile, gpu_tier=e.gpu_tier, context_length=e.context_length,
                   token_multiplier=e.token_multiplier, kind=e.kind, description=e.description)


@strawberry.type(description="One page of model deployments.")
class ModelDeploymentConnection:
    items: list[ModelDeployment]
    next_token: str | None


@strawberry.input(description="A new model deployment.")
class DeployModelInput:
    name: str
    model: str = strawberry.field(description="The Hugging Face id, e.g. meta-llama/Llama-3.1-8B-Instruct.")
    engine: str = "vllm"
    kind: str | None = strawberry.field(default=None, description="chat or embedding (default: the catalogue's "
                                                                  "kind for the model, else chat)")
    min_replicas: int = 0
    max_replicas: int = 1
    resource_profile: str = "nvidia-gpu-timesliced"
    huggingface_token: str | None = strawberry.field(default=None, description="Write-only: stored encrypted, "
                                                                               "never returned.")
    team_id: str | None = strawberry.field(default=None, description="Share the deployment with this team.")


@strawberry.input(description="New replica bounds; a bound not given keeps its value.")
class ScaleModelInput:
    min_replicas: int | None = None
    max_replicas: int | None = None


@strawberry.type(description="A model deployment as a mutation left it (or would leave it, in a dry run).")
class ModelDeploymentPayload(MutationPayload):
    model_deployment: ModelDeployment
