"""GraphQL types for GPU functions and their runs (secret values never appear: only their names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from icgpu.api.graphql.types.payloads import MutationPayload
from icgpu.db.tables_functions import FunctionRun as RunRow
from icgpu.db.tables_functions import GpuFunction as FunctionRow
from icgpu.services.function_runs import RunStatus
from icgpu.services.tiers import HOURLY_PRICE

FunctionRunStatus = strawberry.enum(RunStatus, name="FunctionRunStatus",
                                    description="Lifecycle status of a function run.")


@strawberry.type(name="GpuFunction", description="A GPU function: an image and entrypoint run on demand.")
class GpuFunction:
    id: strawberry.ID
    name: str
    image: str
    entrypoint: str
    gpu_tier: str
    timeout_seconds: int
    env_vars: JSON = strawberry.field(description="The plain environment variables (name -> value).")
    secret_env_var_names: list[str] = strawberry.field(
        description="The names of the write-only secret variables; their values are never returned.")
    team_id: str | None
    status: str = strawberry.field(description="active, or deleted")
    price_per_hour: float
    account_id: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None

    @classmethod
    def from_row(cls, fn: FunctionRow) -> GpuFunction:
        return cls(id=strawberry.ID(fn.id), name=fn.name, image=fn.image, entrypoint=fn.entrypoint,
                   gpu_tier=fn.gpu_tier, timeout_seconds=fn.timeout_seconds, env_vars=cast(JSON, dict(fn.env_vars)),
                   secret_env_var_names=list(fn.secret_env_names), team_id=fn.team_id, status=fn.status,
                   price_per_hour=HOURLY_PRICE[fn.gpu_tier, "interactive"], account_id=fn.account_id,
                   created_at=fn.created_at, updated_at=fn.updated_at, deleted_at=fn.deleted_at)


@strawberry.type(description="One execution of a GPU function.")
class FunctionRun:
    id: strawberry.ID
    function_id: strawberry.ID
    status: FunctionRunStatus  # type: ignore[valid-type]
    status_reason: str | None
    input: JSON
    output: JSON | None = strawberry.field(description="stdout: JSON when it parses, else the text")
    error: str | None
    logs: str | None = strawberry.field(description="stderr (its last bytes)")
    exit_code: int | None
    gpu_tier: str
    timeout_seconds: int
    price_per_hour: float
    duration_seconds: float | None
    cost: float | None = strawberry.field(description="price_per_hour x the time the run held its GPU")
    account_id: str = strawberry.field(description="who started the run")
    team_id: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_row(cls, r: RunRow) -> FunctionRun:
        output: Any = r.output
        return cls(id=strawberry.ID(r.id), function_id=strawberry.ID(r.function_id), status=RunStatus(r.status),
                   status_reason=r.status_reason, input=r.input, output=output, error=r.error, logs=r.logs,
                   exit_code=r.exit_code, gpu_tier=r.gpu_tier, timeout_seconds=r.timeout_seconds,
                   price_per_hour=r.price_per_hour, duration_seconds=r.duration_seconds, cost=r.cost,
                   account_id=r.account_id, team_id=r.team_id, created_at=r.created_at, updated_at=r.updated_at,
                   started_at=r.started_at, finished_at=r.finished_at)


@strawberry.type(description="One page of functions.")
class GpuFunctionConnection:
    items: list[GpuFunction]
    next_token: str | None


@strawberry.type(description="One page of function runs.")
class FunctionRunConnection:
    items: list[FunctionRun]
    next_token: str | None


@strawberry.input(description="A new GPU function.")
class CreateFunctionInput:
    name: str
    image: str
    entrypoint: str
    gpu_tier: str = "timesliced"
    timeout_seconds: int = 300
    env_vars: JSON | None = strawberry.field(default=None, description="name -> value")
    secret_env_vars: JSON | None = strawberry.field(
        default=None, description="name -> value; write-only: set in each run, never returned")
    team_id: str | None = strawberry.field(default=None, description="share the function with this team")


@strawberry.input(description="What can change on a function; a map given replaces the old one.")
class UpdateFunctionInput:
    name: str | None = None
    image: str | None = None
    entrypoint: str | None = None
    gpu_tier: str | None = None
    timeout_seconds: int | None = None
    env_vars: JSON | None = None
    secret_env_vars: JSON | None = strawberry.field(default=None, description="write-only; {} removes them all")


@strawberry.type(description="A function as a mutation left it (or would leave it, in a dry run).")
class GpuFunctionPayload(MutationPayload):
    function: GpuFunction


@strawberry.type(description="A function run as a mutation left it (or would leave it, in a dry run).")
class FunctionRunPayload(MutationPayload):
    run: FunctionRun
