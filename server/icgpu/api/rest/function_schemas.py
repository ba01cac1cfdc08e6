"""The REST response shapes of GPU functions and their runs, for the OpenAPI document only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from icgpu.api.rest.schemas import DryRun, Shape, one_of
from icgpu.services.function_runs import RunStatus
from icgpu.services.functions import ACTIVE, DELETED
from icgpu.services.tiers import TIERS

RUN_STATUSES = tuple(s.value for s in RunStatus)


class Function(Shape):
    id: str
    name: str
    image: str
    entrypoint: str
    gpu_tier: str = one_of(tuple(TIERS))
    timeout_seconds: int
    env_vars: dict[str, str]
    secret_env_var_names: list[str] = Field(description="the names of the write-only secretEnvVars (never values)")
    team_id: str | None
    status: str = one_of((ACTIVE, DELETED))
    price_per_hour: float = Field(description="the tier's hourly price; a run costs it for its duration")
    account_id: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class FunctionList(Shape):
    functions: list[Function]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class FunctionRun(Shape):
    id: str
    function_id: str
    status: str = one_of(RUN_STATUSES)
    status_reason: str | None
    input: dict[str, Any]
    output: Any = Field(description="stdout: parsed JSON when it is JSON, else the text; null until finished")
    error: str | None
    logs: str | None = Field(description="stderr (its last bytes)")
    exit_code: int | None
    gpu_tier: str = one_of(tuple(TIERS))
    timeout_seconds: int
    price_per_hour: float
    duration_seconds: float | None
    cost: float | None = Field(description="price_per_hour x the time the run held its GPU; set when it ends")
    account_id: str = Field(description="who started the run")
    team_id: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class FunctionRunList(Shape):
    runs: list[FunctionRun]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class DryRunFunction(DryRun):
    function: Function


class DryRunFunctionRun(DryRun):
    run: FunctionRun
