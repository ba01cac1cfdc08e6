"""The function runner: gives each queued run a GPU of its tier and executes it.

Level-triggered like the instance reconciler: every pass reads the live runs (queued, running),
asks the shared provisioner for a workload for each queued one (workload id = run id; a run waits,
queued, while its tier is full, and starts when a slot frees), and releases the workload of every
run that is no longer live (a cancelled run's is deleted on the next pass). Only ``run-`` workloads
are released here: instances, VMs and Slurm nodes share the provisioner. Two modes, by what the
provisioner says it does (``Provisioner.runs_functions``), not by which one it is:

* it does not (the simulator): the workload is only a GPU slot, and the runner starts the
  entrypoint through the host executor once the slot is running; a run cancelled while running has
  its process tree killed. With ``local_function_exec`` off (the default), a queued run fails at
  once: nothing runs tenants' commands on the host unless the operator asked for it.
* it does (Kubernetes: a Job): the workload IS the run, given its input and secret env values in the
  spec's details. The runner follows its phase: waiting -> the run stays queued with the reason;
  running -> running; SUCCEEDED -> succeeded; FAILED at the deadline -> timed_out; any other end ->
  failed with the reason and the exit code. ``workload_result`` gives the exit code and the log
  (read before the workload is released). A restart of the server loses nothing: the Job goes on.

In both, a run whose workload the provisioner refuses (``WorkloadRefused``: it cannot run it at all)
fails while queued, once, with the reason as its ``status_reason`` and ``error``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shlex
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from icgpu.db.database import Database
from icgpu.db.tables_functions import FunctionRun, GpuFunction
from icgpu.provisioning.base import (
    PRIORITY_INTERACTIVE,
    Observation,
    Phase,
    Provisioner,
    WorkloadKind,
    WorkloadResult,
    WorkloadSpec,
)
from icgpu.provisioning.details import FunctionRunDetails, WorkloadRefused, sorted_env
from icgpu.provisioning.local.function_exec import ExecResult, HostExecutor
from icgpu.provisioning.local.function_exec import _parse_output as parse_output
from icgpu.services.function_runs import LIVE_RUN, RUN_PREFIX, RunStatus, move_run
from icgpu.services.functions import FunctionService
from icgpu.services.signals import Signals
from icgpu.settings import Settings
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)
WORKLOAD_PREFIX = RUN_PREFIX + "-"
EXEC_DISABLED = ("host execution is disabled: this server does not run function entrypoints "
                 "(the operator enables it with ICGPU_LOCAL_FUNCTION_EXEC=true)")


class FunctionRunner(LevelTriggered):
    task_name = "function-runner"

    def __init__(self, db: Database, provisioner: Provisioner, functions: FunctionService, signals: Signals,
                 settings: Settings) -> None:
        self.db = db
        self.provisioner = provisioner
        self.functions = functions
        self.signals = signals
        self.interval = settings.reconcile_interval_seconds
        self.enabled = settings.local_function_exec
        self.output_limit = settings.function_output_limit_bytes
        self.log_limit = settings.function_log_limit_bytes
        self.executor = HostExecutor(settings.data_dir.resolve() / "function-runs",
                                     output_limit=settings.function_output_limit_bytes,
                                     log_limit=settings.function_log_limit_bytes)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def stop(self) -> None:
        await super().stop()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task

    async def reconcile_once(self) -> None:
        async with self.db.read() as s:
            runs = list((await s.scalars(select(FunctionRun).where(FunctionRun.status.in_(LIVE_RUN))
                                         .order_by(FunctionRun.created_at, FunctionRun.id))).all())
        running = {r.id for r in runs if r.status == RunStatus.RUNNING}
        # A run cancelled while executing: kill its process tree.
        for run_id, task in list(self._tasks.items()):
            if run_id not in running:
                task.cancel()
        changed = False
        for run in runs:
            if run.status == RunStatus.QUEUED:
                changed |= await self._queued(run)
            elif self.provisioner.runs_functions:
                changed |= await self._follow(run)
            elif run.id not in self._tasks:
                changed |= await self._record(run, RunStatus.FAILED, "the runner restarted while the run was "
                                              "executing; its process is gone", error="interrupted")
        # A workload is kept by a queued run and by a running one (whose process runs here, or which
        # is the workload itself); every other run workload (finished, cancelled, gone) is released.
        keep = {r.id for r in runs if r.status == RunStatus.QUEUED or (
            r.status == RunStatus.RUNNING and (self.provisioner.runs_functions or r.id in self._tasks))}
        for workload in await self.provisioner.workloads():
            if workload.startswith(WORKLOAD_PREFIX) and workload not in keep:
                await self.provisioner.ensure_stopped(workload)
        if changed:
            self.signals.changed()

    async def _queued(self, run: FunctionRun) -> bool:
        cluster = self.provisioner.runs_functions
        if not cluster and not self.enabled:
            return await self._record(run, RunStatus.FAILED, EXEC_DISABLED, error=EXEC_DISABLED)
        try:
            spec = await self._spec(run)
        except ValueError as exc:  # its secret values cannot be unsealed (the server's key changed)
            return await self._record(run, RunStatus.FAILED, str(exc), error=str(exc))
        try:
            obs = await self.provisioner.ensure_running(spec, replace_failed=False)
        except WorkloadRefused as refused:
            reason = f"cannot run here: {refused}"
            return await self._record(run, RunStatus.FAILED, reason, error=reason)
        if cluster and obs.phase in (Phase.SUCCEEDED, Phase.FAILED):
            return await self._ended(run, obs)  # it ended before a pass saw it run
        if cluster and obs.phase is Phase.RUNNING:
            return await self._record(run, RunStatus.RUNNING, f"running on {obs.slot or 'the cluster'}")
        if obs.phase in (Phase.EVICTED, Phase.FAILED):
            reason = f"the GPU was lost before the run started: {obs.reason or obs.phase.value}"
            return await self._record(run, RunStatus.FAILED, reason, error=reason)
        if obs.phase is Phase.RUNNING:
            if await self._record(run, RunStatus.RUNNING, f"running on {obs.slot or '?'}"):
                self._tasks[run.id] = asyncio.create_task(self._execute(run.id), name=f"exec {run.id}")
                return True
            return False
        return await self._note(run, _waiting(obs))

    async def _spec(self, run: FunctionRun) -> WorkloadSpec:
        """The run's workload, with what its function runs; for a provisioner that runs it, also its
        input and the unsealed secret env values (which the simulator's slot never sees). Raises
        ValueError when the secret values cannot be unsealed."""
        async with self.db.read() as s:
            fn = await s.get(GpuFunction, run.function_id)
        details = None
        if fn is not None:
            details = FunctionRunDetails(
                image=fn.image, command=tuple(shlex.split(fn.entrypoint)), timeout_seconds=run.timeout_seconds,
                env=sorted_env(fn.env_vars))
            if self.provisioner.runs_functions:
                details = replace(details, secret_env=tuple(sorted(self.functions.secret_env(fn).items())),
                                  input_json=json.dumps(run.input), function_id=fn.id)
        return WorkloadSpec(instance_id=run.id, tier=run.gpu_tier, priority=PRIORITY_INTERACTIVE, storage_gb=0,
                            authorized_keys="", kind=WorkloadKind.FUNCTION_RUN, tenant_id=run.tenant_id,
                            details=details)

    async def _follow(self, run: FunctionRun) -> bool:
        """A running run whose workload runs it: record how it ended, once it has."""
        obs = (await self.provisioner.observe([run.id]))[run.id]
        if obs.phase in (Phase.SUCCEEDED, Phase.FAILED, Phase.EVICTED):
            return await self._ended(run, obs)
        if obs.phase in (Phase.ABSENT, Phase.TERMINATING):
            reason = "the run's workload was removed from the cluster before it ended"
            return await self._record(run, RunStatus.FAILED, reason, error=reason)
        return False

    async def _ended(self, run: FunctionRun, obs: Observation) -> bool:
        """Record the end of a run its workload ran, with the exit code and log the cluster kept."""
        result = await self.provisioner.workload_result(run.id)
        target, reason = cluster_outcome(run.status, obs, result, run.timeout_seconds)
        fields: dict[str, object] = {"exit_code": result.exit_code,
                                     **log_fields(result.logs, self.output_limit, self.log_limit)}
        if target is not RunStatus.SUCCEEDED:
            fields["error"] = reason
        if run.status == RunStatus.QUEUED and _ran(obs, result):
            # It ran between two passes: it was running, for the record (and the bill), from when it
            # started.
            await self._record(run, RunStatus.RUNNING, "running on the cluster", at=result.started_at)
        return await self._record(run, target, reason, at=result.finished_at, **fields)

    async def _execute(self, run_id: str) -> None:
        try:
            async with self.db.read() as s:
                run = await s.get(FunctionRun, run_id)
                fn = await s.get(GpuFunction, run.function_id) if run is not None else None
            if run is None or fn is None:
                return
            try:
                env = {**{k: str(v) for k, v in fn.env_vars.items()}, **self.functions.secret_env(fn)}
                result = await self.executor.run(run.id, fn.id, fn.entrypoint, run.input, env,
                                                 float(run.timeout_seconds))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the entrypoint could not be started at all
                log.warning("run %s could not start: %s", run_id, type(exc).__name__)
                reason = f"the entrypoint could not be started: {exc}"
                await self._record(run, RunStatus.FAILED, reason, error=reason)
                return
            await self._finish(run, result)
        finally:
            self._tasks.pop(run_id, None)
            self.signals.changed()
            self.wake()

    async def _finish(self, run: FunctionRun, result: ExecResult) -> None:
        fields = {"output": result.output, "logs": result.logs, "exit_code": result.exit_code}
        if result.outcome == "timed_out":
            reason = f"timed out after {run.timeout_seconds} s; the process tree was killed"
            await self._record(run, RunStatus.TIMED_OUT, reason, error=reason, **fields)
        elif result.exit_code == 0:
            await self._record(run, RunStatus.SUCCEEDED, "exited with code 0", **fields)
        else:
            code = result.exit_code
            why = f"killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
            await self._record(run, RunStatus.FAILED, why, error=why, **fields)

    async def _record(self, run: FunctionRun, target: RunStatus, reason: str | None, *, at: datetime | None = None,
                      **fields: object) -> bool:
        """Compare-and-set: apply only if nobody changed the status since it was read. ``at``: when it
        happened, if not now (a cluster's record of when a run started or ended)."""
        async with self.db.transaction() as s:
            fresh = await s.get(FunctionRun, run.id, with_for_update=True)
            if fresh is None or fresh.status != run.status:
                return False
            for name, value in fields.items():
                setattr(fresh, name, value)
            move_run(s, fresh, target, reason=reason, at=at)
        run.status, run.status_reason = fresh.status, fresh.status_reason
        return True

    async def _note(self, run: FunctionRun, reason: str) -> bool:
        if run.status_reason == reason:
            return False
        async with self.db.transaction() as s:
            fresh = await s.get(FunctionRun, run.id, with_for_update=True)
            if fresh is None or fresh.status != run.status:
                return False
            fresh.status_reason = reason
        return False


def cluster_outcome(status: str, obs: Observation, result: WorkloadResult,
                    timeout_seconds: int) -> tuple[RunStatus, str]:
    """How a run its workload ran ended (``obs``: SUCCEEDED, FAILED or EVICTED), and why. The deadline
    counts from the workload's start, waiting for a GPU included: a run that never started when it
    passed has not timed out by the state machine (queued -> failed), and says so."""
    code = "" if result.exit_code is None else f" (exit code {result.exit_code})"
    if obs.phase is Phase.SUCCEEDED:
        return RunStatus.SUCCEEDED, f"{obs.reason or 'completed'}{code}"
    if result.deadline_exceeded:
        if status == RunStatus.QUEUED and not _ran(obs, result):
            return RunStatus.FAILED, (f"its {timeout_seconds} s deadline passed before it started running "
                                      f"({obs.reason or 'DeadlineExceeded'})")
        return RunStatus.TIMED_OUT, (f"timed out after {timeout_seconds} s; the cluster stopped it at its deadline "
                                     f"({obs.reason or 'DeadlineExceeded'})")
    if obs.phase is Phase.EVICTED:
        return RunStatus.FAILED, f"the GPU was lost: {obs.reason or obs.phase.value}"
    return RunStatus.FAILED, f"{obs.reason or 'the run failed'}{code}"


def log_fields(text: str | None, output_limit: int, log_limit: int) -> dict[str, object]:
    """A cluster keeps one log of the container's stdout and stderr: the run's output is that log, parsed
    like the host executor's stdout (JSON when it is, else the text; its first ``output_limit`` bytes),
    and its logs are the log's last ``log_limit`` bytes. No log (no container ran): no output."""
    if text is None:
        return {"output": None, "logs": None}
    raw = text.encode()
    return {"output": parse_output(raw[:output_limit], len(raw) > output_limit),
            "logs": raw[-log_limit:].decode("utf-8", errors="replace")}


def _ran(obs: Observation, result: WorkloadResult) -> bool:
    """Whether the workload's run started at all (a run still queued here may have run between passes)."""
    return obs.phase is Phase.SUCCEEDED or result.started_at is not None


def _waiting(obs: Observation) -> str:
    if obs.phase is Phase.STARTING:
        return f"starting on {obs.slot or '?'}"
    return obs.reason or "waiting for a GPU"
