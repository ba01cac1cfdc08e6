"""The REST response shapes of model deployments and the model catalogue, for the OpenAPI document only."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from icgpu.api.rest.schemas import DryRun, Shape, one_of
from icgpu.services.model_catalogue import ENGINES, KINDS, RESOURCE_PROFILES
from icgpu.services.models import STATUSES

UPSTREAMS = ("dev_engine", "external")


class ModelDeployment(Shape):
    id: str
    name: str = Field(description="unique in the tenant; the model name of /v1 calls")
    model: str = Field(description="the Hugging Face id served")
    engine: str = one_of(ENGINES)
    kind: str = one_of(KINDS)
    min_replicas: int
    max_replicas: int
    resource_profile: str = one_of(tuple(RESOURCE_PROFILES))
    gpu_tier: str | None = Field(description="the GPU tier each replica holds a slot of (null: cpu)")
    status: str = one_of(STATUSES)
    status_reason: str | None
    desired_replicas: int = Field(description="replicas the scaler wants now")
    ready_replicas: int = Field(description="replicas answering calls now")
    upstream: str = one_of(UPSTREAMS, "dev_engine: replicas of the built-in development engine; external: "
                                      "the operator's engine (model_upstreams)")
    huggingface_token_set: bool = Field(description="whether a Hugging Face token is stored (it is never returned)")
    team_id: str | None
    account_id: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class ModelDeploymentList(Shape):
    models: list[ModelDeployment]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class DryRunModelDeployment(DryRun):
    model: ModelDeployment


class CatalogueModel(Shape):
    alias: str = Field(description="the name /v1 calls use")
    huggingface_id: str
    engine: str = one_of(ENGINES)
    resource_profile: str = one_of(tuple(RESOURCE_PROFILES))
    gpu_tier: str | None
    context_length: int
    token_multiplier: float = Field(description="a call costs (prompt + completion tokens) x this")
    kind: str = one_of(KINDS)
    description: str


class ModelCatalogue(Shape):
    models: list[CatalogueModel]
