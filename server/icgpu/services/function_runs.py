"""Runs of GPU functions: starting one (202), reading them, cancelling one, and the state machine.

    queued -> running -> succeeded | failed | timed_out
    queued | running -> cancelled (a user's cancel, or the function's deletion)
    queued -> failed (host execution disabled, the GPU lost, the runner restarted)

The runner (workers/function_runner.py) moves runs through the cluster-driven states; every change
goes through ``move_run``, which checks it and writes its event: ``function.run_queued``,
``function.run_started``, ``function.completed`` (succeeded), ``function.failed`` (failed and
timed_out) and ``function.cancelled``. A finished run records its duration and its cost: the tier's
hourly price times the time it held the GPU.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_functions import FunctionRun, GpuFunction
from icgpu.errors import AccessDenied, Conflict, NotFound, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.services import access, quotas
from icgpu.services.functions import ACTIVE, PREFIX, SCOPE, can_run
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.tiers import TIERS
from icgpu.services.validation import Input
from icgpu.settings import Settings

RUN_PREFIX = "run"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


R = RunStatus
TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    R.QUEUED: frozenset({R.RUNNING, R.FAILED, R.CANCELLED}),
    R.RUNNING: frozenset({R.SUCCEEDED, R.FAILED, R.TIMED_OUT, R.CANCELLED}),
    R.SUCCEEDED: frozenset(),
    R.FAILED: frozenset(),
    R.TIMED_OUT: frozenset(),
    R.CANCELLED: frozenset(),
}
EVENT_FOR: dict[RunStatus, str] = {
    R.QUEUED: "function.run_queued",
    R.RUNNING: "function.run_started",
    R.SUCCEEDED: "function.completed",
    R.FAILED: "function.failed",
    R.TIMED_OUT: "function.failed",
    R.CANCELLED: "function.cancelled",
}
LIVE_RUN = (R.QUEUED.value, R.RUNNING.value)
FINAL = frozenset({R.SUCCEEDED, R.FAILED, R.TIMED_OUT, R.CANCELLED})
COST_QUANTUM = Decimal("0.000001")


def can_move(current: str, target: RunStatus) -> bool:
    return target in TRANSITIONS[RunStatus(current)]


def parse_status(value: str) -> RunStatus:
    try:
        return RunStatus(value)
    except ValueError:
        raise ValidationError(f"status: unknown run status '{value}'; choose one of: "
                              f"{', '.join(s.value for s in RunStatus)}", field="status") from None


def run_cost(price_per_hour: float, seconds: float) -> float:
    """What a run costs: the hourly price for the time it held the GPU, to a millionth."""
    exact = Decimal(str(price_per_hour)) * Decimal(str(seconds)) / Decimal(3600)
    return float(exact.quantize(COST_QUANTUM, rounding=ROUND_HALF_UP))


def snapshot(run: FunctionRun) -> dict[str, Any]:
    """An event's view of a run (the input and output stay on the run: they may be large)."""
    return {"id": run.id, "function_id": run.function_id, "status": run.status, "status_reason": run.status_reason,
            "exit_code": run.exit_code, "gpu_tier": run.gpu_tier, "duration_seconds": run.duration_seconds,
            "cost": run.cost, "error": run.error}


def move_run(s: AsyncSession, run: FunctionRun, target: RunStatus, *, reason: str | None = None,
             at: datetime | None = None) -> None:
    """Change a run's status in the caller's transaction and write its event; a final status
    records the finish time, the duration (from the start) and the cost."""
    previous = run.status
    if not can_move(previous, target):
        raise Conflict(f"run {run.id} is {previous}; it cannot become {target.value}", code="InvalidStateTransition")
    now = at or utcnow()
    run.status = target.value
    run.status_reason = reason
    run.updated_at = now
    if target is R.RUNNING:
        run.started_at = now
    if target in FINAL:
        run.finished_at = now
        seconds = max((now - run.started_at).total_seconds(), 0.0) if run.started_at else 0.0
        run.duration_seconds = round(seconds, 3) if run.started_at else None
        run.cost = run_cost(run.price_per_hour, seconds)
    outbox.record(s, EVENT_FOR[target], tenant_id=run.tenant_id, account_id=run.account_id, team_id=run.team_id,
                  resource_type="function_run", resource_id=run.id,
                  data={**snapshot(run), "previous_status": previous})


async def _gpus_held(s: AsyncSession, tenant_id: str) -> int:
    """GPUs the tenant's function runs hold or wait for (one per queued or running run)."""
    return int(await s.scalar(select(func.count()).select_from(FunctionRun).where(
        FunctionRun.tenant_id == tenant_id, FunctionRun.status.in_(LIVE_RUN))) or 0)


quotas.register_gpu_usage("functions", _gpus_held)


class RunCreate(Input):
    input: dict[str, Any] = Field(default_factory=dict, description="the run's input, given to it as JSON on stdin")


class FunctionRunService:
    def __init__(self, db: Database, settings: Settings, pages: PageCodec, signals: Signals) -> None:
        self.db = db
        self.settings = settings
        self.pages = pages
        self.signals = signals

    async def start(self, principal: Principal, function_id: str, data: RunCreate, *,
                    dry_run: bool = False) -> FunctionRun:
        """Queue a run of the function; the runner gives it a GPU of the function's tier."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            fn: GpuFunction = await access.load_visible(s, principal, GpuFunction, function_id, PREFIX, "function")
            if not await can_run(s, principal, fn):
                raise AccessDenied("running a team's function needs the member role in the team",
                                   code="TeamRoleTooLow")
            if fn.status != ACTIVE:
                raise Conflict(f"function {fn.id} is deleted; it cannot run", code="InvalidStateTransition")
            await quotas.check_gpus(s, self.settings, principal.tenant_id, 1)
            now = utcnow()
            run = FunctionRun(
                id=new_id(RUN_PREFIX), function_id=fn.id, tenant_id=fn.tenant_id, account_id=principal.account_id,
                team_id=fn.team_id, status=R.QUEUED.value, status_reason="waiting for a GPU",
                input=data.input, gpu_tier=fn.gpu_tier, timeout_seconds=fn.timeout_seconds,
                price_per_hour=float(TIERS[fn.gpu_tier].price_per_hour), created_at=now, updated_at=now,
            )
            s.add(run)
            outbox.record(s, EVENT_FOR[R.QUEUED], tenant_id=run.tenant_id, account_id=run.account_id,
                          team_id=run.team_id, resource_type="function_run", resource_id=run.id,
                          data={**snapshot(run), "previous_status": None})
            await s.flush()
        self._changed(dry_run)
        return run

    async def list(self, principal: Principal, function_id: str, page: PageRequest, *,
                   status: str | None = None) -> Page[FunctionRun]:
        principal.require(SCOPE, "read")
        wanted = parse_status(status) if status is not None else None
        async with self.db.read() as s:
            fn: GpuFunction = await access.load_visible(s, principal, GpuFunction, function_id, PREFIX, "function")
            stmt = select(FunctionRun).where(FunctionRun.function_id == fn.id)
            if wanted is not None:
                stmt = stmt.where(FunctionRun.status == wanted.value)
            return await self.pages.fetch(s, stmt, page, scope=f"runs:{fn.id}:{status or '*'}", model=FunctionRun)

    async def get(self, principal: Principal, run_id: str, function_id: str | None = None) -> FunctionRun:
        """A run of a function the caller sees (of ``function_id`` when given: another is 404)."""
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            run = await self._load(s, principal, run_id, function_id)
        return run

    async def cancel(self, principal: Principal, run_id: str, function_id: str | None = None, *,
                     dry_run: bool = False) -> FunctionRun:
        """Cancel a queued or running run (its process is killed and its GPU released). Allowed to
        whoever started it and to whoever manages the function."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            run = await self._load(s, principal, run_id, function_id, for_update=True)
            if run.account_id != principal.account_id:
                fn = await s.get(GpuFunction, run.function_id)
                await access.require_manage(s, principal, fn, "function")
            if run.status not in LIVE_RUN:
                raise Conflict(f"cannot cancel run {run.id}: it is {run.status}", code="InvalidStateTransition")
            move_run(s, run, R.CANCELLED, reason="cancel requested")
        self._changed(dry_run)
        return run

    async def _load(self, s: AsyncSession, principal: Principal, run_id: str, function_id: str | None, *,
                    for_update: bool = False) -> FunctionRun:
        missing = NotFound(f"run {run_id} not found")
        if not well_formed(run_id, RUN_PREFIX) or (function_id is not None and not well_formed(function_id, PREFIX)):
            raise missing
        run = await s.get(FunctionRun, run_id, with_for_update=for_update)
        if run is None or run.tenant_id != principal.tenant_id \
                or (function_id is not None and run.function_id != function_id):
            raise missing
        fn = await s.get(GpuFunction, run.function_id)
        if fn is None or not await access.can_see(s, principal, fn):
            raise missing
        return run

    def _changed(self, dry_run: bool) -> None:
        if not dry_run:
            self.signals.changed()
