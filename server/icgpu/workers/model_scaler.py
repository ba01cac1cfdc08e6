"""The model scaler: keeps each model deployment between its minimum and maximum replicas by load.

Level-triggered like the other reconcilers. Every pass reads the live deployments and, for each:

* works out the replicas it needs: none while stopped (``POST .../stop``) or served by the
  operator's external engine; otherwise ``ceil(peak in-flight calls / model_target_inflight_per_replica)``,
  at least one while a call came in the last ``model_idle_seconds``, kept for
  ``model_scale_down_seconds`` before scaling down, within ``[minReplicas, maxReplicas]``;
* starts missing replicas: a GPU slot of the profile's tier from the shared inventory (workload
  ``<deployment id>.r<n>``, counted in the tenant's GPU limit: services/quotas.py; the platform's
  shared catalogue deployments count for no tenant), then the development engine as a real process
  (``icgpu.gateway.devengine.launcher.start_replica``), ready once it answers ``/health``;
* health-checks ready replicas (every ``model_health_interval_seconds``, and at once when the
  gateway reported a connect error): a dead one is stopped and replaced;
* with a provisioner that serves models itself (``Provisioner.serves_models``: Kubernetes, where each
  replica is a KubeAI ``Model``), launches nothing: a replica whose workload is RUNNING (the Model
  reports a ready replica) is ready at once, called at the provisioner's ``model_endpoint`` (KubeAI's
  URL, ``model`` = the Model's name); its health is the provisioner's observation (a replica no
  longer RUNNING leaves the rotation until it is again, and one lost is replaced), and the
  deployment's Hugging Face token goes in the workload's details (a Secret the Model reads);
* stops extra replicas (process, then slot), newest first; and records the counts and status.

A deployment whose replica the provisioner refuses (``WorkloadRefused``: it cannot serve it at all,
e.g. an sglang engine on Kubernetes, where KubeAI has none) is asked for once: the replica is let go
(no GPU held), the reason stays in ``status_reason``, and later passes start no replica for it until
the deployment changes (bounds, stop or wake, or another model, engine, kind, profile or token:
``_version``), which asks again. The refusal is remembered by this process (a restarted one asks once).

Replicas of deleted deployments are stopped, and ``mdl-`` workloads nobody holds (left by a previous
server process) are released; only that prefix is touched. A served replica's workload (a KubeAI
Model) of a live deployment is taken back instead, as one of the replicas it wants (``_adopt``).
``stop`` (server shutdown) stops every replica process (a served replica has none: its Model stays).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select, update

from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_models import ModelDeployment
from icgpu.errors import Conflict
from icgpu.provisioning.base import PRIORITY_INTERACTIVE, Phase, Provisioner, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import ModelReplicaDetails, WorkloadRefused
from icgpu.services import quotas
from icgpu.services.model_catalogue import RESOURCE_PROFILES, external_upstream
from icgpu.services.model_replicas import (
    DRAINING,
    READY,
    STARTING,
    WAITING_GPU,
    Replica,
    ReplicaPool,
    Target,
    endpoint,
)
from icgpu.services.model_routing import shared_alias
from icgpu.services.model_secrets import TokenBox
from icgpu.services.models import IDLE_REASON, PREFIX, STOPPED_REASON, Status, record_event
from icgpu.services.signals import Signals
from icgpu.settings import Settings
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)
WORKLOAD_PREFIX = PREFIX + "-"


async def launch(model: str, kind: str, ready_timeout: float, hf_token: str | None) -> Any:
    """Start one development-engine replica (a separate process on loopback). The Hugging Face
    token goes into its environment as ``HF_TOKEN``, as a real engine reads it (the development
    engine downloads nothing); it is never on a command line or in a log."""
    from icgpu.gateway.devengine.launcher import start_replica

    return await start_replica(model=model, kind=kind, ready_timeout=ready_timeout,
                               env={"HF_TOKEN": hf_token} if hf_token else None)


START_CANCEL_WAIT_SECONDS = 10.0  # how long stopping waits for a cancelled replica start to end


class Refusal(NamedTuple):
    """The provisioner's refusal of a deployment as it was (``version``), with the reason it gave."""

    version: tuple[Any, ...]
    reason: str


def _version(d: ModelDeployment) -> tuple[Any, ...]:
    """What a user can change about a deployment: a refusal holds until one of these changes."""
    return (d.model, d.engine, d.kind, d.resource_profile, d.hf_token_blob, d.min_replicas, d.max_replicas,
            d.stopped)


@dataclass
class Hold:
    """The most replicas the load asked for lately, kept until ``until`` (no flapping down)."""

    need: int = 0
    until: float = 0.0


class ModelScaler(LevelTriggered):
    task_name = "model-scaler"

    def __init__(self, db: Database, provisioner: Provisioner, pool: ReplicaPool, signals: Signals,
                 settings: Settings) -> None:
        self.db = db
        self.provisioner = provisioner
        self.pool = pool
        self.signals = signals
        self.settings = settings
        self.interval = settings.reconcile_interval_seconds
        self._holds: dict[str, Hold] = {}
        self._draining: list[Replica] = []  # taken out of rotation by a scale-down, serving their last calls
        self._failures: dict[str, int] = {}  # deployment id -> replica starts failed in a row
        self._retry_at: dict[str, float] = {}  # deployment id -> no new start before (monotonic)
        self._adoptable: set[str] = set()  # served replicas' workloads in the cluster that no replica holds
        self._refused: dict[str, Refusal] = {}  # deployment id -> the provisioner's refusal (not asked again)
        self.tokens = TokenBox(settings.resolved_secret_key)
        pool.on_demand = self.wake

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        self.pool.local = True  # the router finds the replicas in this process
        super().start()

    async def stop(self) -> None:
        self.pool.local = False
        await super().stop()
        for dep_id in list(self.pool.replicas):
            for r in list(self.pool.replicas.get(dep_id, ())):
                await self._stop_process(r)
        for r in self._draining:
            await self._stop_process(r)
        self._draining.clear()
        self.pool.notify()

    # -- one pass ----------------------------------------------------------------------------------

    async def reconcile_once(self) -> None:
        async with self.db.read() as s:
            deps = list((await s.scalars(select(ModelDeployment).where(ModelDeployment.status != Status.DELETED)
                                         .order_by(ModelDeployment.created_at, ModelDeployment.id))).all())
            gone = list((await s.scalars(select(ModelDeployment).where(
                ModelDeployment.status == Status.DELETED,
                (ModelDeployment.gpu_replicas > 0) | (ModelDeployment.ready_replicas > 0)))).all())
            wall = utcnow()
        live = {d.id for d in deps}
        if self.provisioner.serves_models:  # served replicas outlive this process: see _adopt
            held = {r.workload_id for reps in self.pool.replicas.values() for r in reps}
            self._adoptable = {w for w in await self.provisioner.workloads()
                               if w.startswith(WORKLOAD_PREFIX) and w not in held}
        now = time.monotonic()
        changed = False
        for d in deps:
            if d.last_call_at is not None:  # a call seen by an API process without a scaler
                self.pool.note_call_at(d.id, now - max((wall - d.last_call_at).total_seconds(), 0.0))
            try:
                changed |= await self._reconcile(d, now)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("model deployment %s: scaling pass failed", d.id)
        for dep_id in [i for i in self.pool.replicas if i not in live]:
            for r in list(self.pool.replicas.get(dep_id, ())):
                await self._remove(r)
            self.pool.forget(dep_id)
            self._holds.pop(dep_id, None)
            self._failures.pop(dep_id, None)
            self._retry_at.pop(dep_id, None)
            self._refused.pop(dep_id, None)
            changed = True
        for r in list(self._draining):
            load = self.pool.load.get(r.deployment_id)
            if r.deployment_id not in live or load is None or load.inflight == 0 or now >= r.drain_until:
                self._draining.remove(r)
                await self._stop_process(r)
                if r.gpu_tier:
                    await self.provisioner.ensure_stopped(r.workload_id)
        for d in gone:
            if d.id not in self.pool.replicas:
                await self._record_gone(d)
        keep = {r.workload_id for reps in self.pool.replicas.values() for r in reps if r.gpu_tier}
        keep |= {r.workload_id for r in self._draining if r.gpu_tier}
        for workload in await self.provisioner.workloads():
            if workload.startswith(WORKLOAD_PREFIX) and workload not in keep:
                await self.provisioner.ensure_stopped(workload)
        if changed:
            self.signals.changed()

    async def _reconcile(self, d: ModelDeployment, now: float) -> bool:
        reps = self.pool.replicas.setdefault(d.id, [])
        external = external_upstream(self.settings, alias=shared_alias(d), model=d.model)
        desired = 0 if external else self._desired(d, now)
        before = [(r.phase, r.index) for r in reps]
        reason: str | None = None
        # Dead or reported replicas go first (they are replaced below).
        for r in list(reps):
            if r.phase == READY and await self._unhealthy(r, now):
                log.warning("model deployment %s: replica %s stopped answering; replacing it", d.id, r.index)
                await self._remove(r)
        # Too many: newest first, those not serving before the ready ones. A ready one taken away by a
        # scale-down while calls are in flight drains: out of rotation at once, stopped when the
        # deployment has no call in flight (or after model_replica_drain_seconds). A stop stops now.
        while len(reps) > desired:
            victim = max(reps, key=lambda r: (r.phase != READY, r.index))
            load = self.pool.load.get(d.id)
            if victim.phase == READY and not d.stopped and load is not None and load.inflight > 0:
                reps.remove(victim)
                victim.phase = DRAINING
                victim.drain_until = now + self.settings.model_replica_drain_seconds
                self._draining.append(victim)
                self.pool.notify()
            else:
                await self._remove(victim)
        # Too few: claim a GPU slot (within the tenant's GPU limit) for each missing replica.
        tier = RESOURCE_PROFILES.get(d.resource_profile)
        refusal = self._refusal(d)
        while len(reps) < desired:
            if refusal is not None:  # refused as it is: not asked again until it changes
                reason = refusal
                break
            if tier is None and self.provisioner.serves_models:
                reason = (f"cannot be served here: the cluster serves models on GPUs, and profile "
                          f"{d.resource_profile!r} has none")
                break
            index = min(set(range(len(reps) + 1)) - {r.index for r in reps})
            if tier is not None and d.tenant_id is not None:
                draining = sum(1 for r in self._draining if r.deployment_id == d.id and r.gpu_tier)
                refused = await self._claim_gpu(d, sum(1 for r in reps if r.gpu_tier) + draining)
                if refused:
                    reason = refused
                    break
            reps.append(self._adopt(d.id, reps, tier) or Replica(deployment_id=d.id, index=index, gpu_tier=tier,
                                                                  phase=WAITING_GPU if tier else STARTING))
        for r in list(reps):
            note = await self._advance(d, r)
            reason = reason or note
        if [(r.phase, r.index) for r in reps] != before:
            self.pool.notify()
        if external:
            reason = "served by the operator's external engine"
        return await self._record(d, desired, reps, reason, external=external is not None)

    def _adopt(self, deployment_id: str, reps: list[Replica], tier: str | None) -> Replica | None:
        """A served replica the cluster still runs for the deployment (a KubeAI Model left by a previous
        server process, or by this one before a restart) taken back as a new replica, rather than
        deleted and made again: a model server reloads its weights for minutes. It is read like a new
        one (WAITING_GPU: ready once its workload runs). Those not taken back are released at the end
        of the pass, as for the local simulator (whose replicas' processes die with the server)."""
        taken = {r.index for r in reps}
        for workload in sorted(self._adoptable):
            index, dash, serial = workload.removeprefix(f"{deployment_id}.r").partition("-")
            if workload.startswith(f"{deployment_id}.r") and dash and index.isdigit() and int(index) not in taken:
                self._adoptable.discard(workload)
                return Replica(deployment_id=deployment_id, index=int(index), gpu_tier=tier, serial=serial)
        return None

    def _desired(self, d: ModelDeployment, now: float) -> int:
        peak = self.pool.take_peak(d.id)
        if d.stopped:
            return 0
        need = math.ceil(peak / max(1, self.settings.model_target_inflight_per_replica))
        last = self.pool.last_call(d.id)
        recent = last is not None and now - last < self.settings.model_idle_seconds
        if recent:
            need = max(need, 1)
            hold = self._holds.setdefault(d.id, Hold())
            if need >= hold.need or now >= hold.until:
                hold.need, hold.until = need, now + self.settings.model_scale_down_seconds
            need = hold.need
        else:
            self._holds.pop(d.id, None)
        return max(d.min_replicas, min(need, d.max_replicas))

    # -- one replica -------------------------------------------------------------------------------

    async def _advance(self, d: ModelDeployment, r: Replica) -> str | None:
        if r.phase == WAITING_GPU and (refusal := self._refusal(d)) is not None:
            await self._remove(r)  # another replica of a deployment refused in this pass: not asked again
            return refusal
        if r.phase == WAITING_GPU:
            served = self.provisioner.serves_models
            details = ModelReplicaDetails(model=d.model, engine=d.engine, kind=d.kind,
                                          hf_token=self.tokens.open(d.hf_token_blob) if served else None)
            try:
                obs = await self.provisioner.ensure_running(
                    WorkloadSpec(instance_id=r.workload_id, tier=r.gpu_tier or "", priority=PRIORITY_INTERACTIVE,
                                 storage_gb=0, authorized_keys="", kind=WorkloadKind.MODEL_REPLICA,
                                 tenant_id=d.tenant_id, details=details), replace_failed=True)
            except WorkloadRefused as refused:  # the provisioner cannot serve it (KubeAI has no sglang)
                reason = f"cannot be served here: {refused}"
                self._refused[d.id] = Refusal(_version(d), reason)
                log.warning("model deployment %s: %s", d.id, reason)
                await self._remove(r)  # its GPU slot goes back; no replica is started until the deployment changes
                return reason
            if obs.phase is Phase.RUNNING:
                r.phase = STARTING
            elif obs.phase in (Phase.EVICTED, Phase.FAILED):
                await self._remove(r)
                return f"a replica lost its GPU: {obs.reason or obs.phase.value}"
            elif obs.phase in (Phase.TERMINATING, Phase.ABSENT):
                await self.provisioner.ensure_stopped(r.workload_id)  # gone: its record goes, the next pass retries
                return "waiting for a released GPU slot"
            else:
                return obs.reason or f"waiting for a {r.gpu_tier} GPU"
        if r.phase == STARTING and self.provisioner.serves_models:
            at = self.provisioner.model_endpoint(r.workload_id)
            if at is None:
                return "the cluster gave no endpoint for a running replica"
            r.base_url, r.upstream_model = at.base_url.rstrip("/"), at.model
            r.phase = READY
            r.checked_at = time.monotonic()
            self._failures.pop(d.id, None)
            self._retry_at.pop(d.id, None)
            return None
        if r.phase == STARTING:
            if r.task is None:
                retry_at = self._retry_at.get(d.id, 0.0)
                if time.monotonic() < retry_at:
                    return f"a replica failed to start; retrying in {math.ceil(retry_at - time.monotonic())} s"
                if self._processes() >= self.settings.model_max_local_replicas:
                    return (f"waiting: this host runs {self.settings.model_max_local_replicas} development-engine "
                            "replicas already (ICGPU_MODEL_MAX_LOCAL_REPLICAS)")
                r.task = asyncio.create_task(
                    launch(d.model, d.kind, self.settings.model_replica_start_seconds,
                           self.tokens.open(d.hf_token_blob)),
                    name=f"start {r.workload_id}")
                return "starting a replica"
            if not r.task.done():
                return "starting a replica"
            task, r.task = r.task, None
            exc = task.exception() if not task.cancelled() else None
            if task.cancelled() or exc is not None:
                log.warning("model deployment %s: replica %s failed to start: %s", d.id, r.index,
                            type(exc).__name__ if exc else "cancelled")
                failures = self._failures.get(d.id, 0) + 1
                self._failures[d.id] = failures
                self._retry_at[d.id] = time.monotonic() + min(2.0 ** failures, 60.0)  # no spawn storm
                await self._remove(r)
                return f"a replica failed to start ({type(exc).__name__ if exc else 'cancelled'}); retrying"
            r.handle = task.result()
            self._failures.pop(d.id, None)
            self._retry_at.pop(d.id, None)
            r.base_url = str(r.handle.base_url).rstrip("/")
            r.phase = READY
            r.checked_at = time.monotonic()
        return None

    def _refusal(self, d: ModelDeployment) -> str | None:
        """The reason the provisioner refused the deployment as it is now, if it did (a change forgets it)."""
        refusal = self._refused.get(d.id)
        if refusal is not None and refusal.version != _version(d):
            del self._refused[d.id]
            return None
        return refusal.reason if refusal is not None else None

    def _processes(self) -> int:
        """Replica processes of this host: started or starting (draining ones included)."""
        return len(self._draining) + sum(1 for reps in self.pool.replicas.values() for r in reps
                                         if r.task is not None or r.handle is not None)

    async def _unhealthy(self, r: Replica, now: float) -> bool:
        if self.provisioner.serves_models:
            return await self._unserved(r, now)
        if r.unhealthy:
            return True
        if now - r.checked_at < self.settings.model_health_interval_seconds:
            return False
        r.checked_at = now
        try:
            return not await asyncio.wait_for(r.handle.healthy(), 5.0)
        except asyncio.CancelledError:
            raise
        except Exception:
            return True

    async def _unserved(self, r: Replica, now: float) -> bool:
        """A served replica's health: the provisioner's observation of its workload, every health interval.
        One that is not RUNNING any more (its Model has no ready replica) leaves the rotation and waits as
        a new one does (``_advance`` re-reads it; one evicted, failed or gone is replaced there); nothing
        needs removing at once. Connect errors to the cluster's shared endpoint say nothing about it."""
        if now - r.checked_at < self.settings.model_health_interval_seconds:
            return False
        r.checked_at = now
        obs = (await self.provisioner.observe([r.workload_id])).get(r.workload_id)
        if obs is None or obs.phase is not Phase.RUNNING:
            log.warning("model deployment %s: replica %s is %s in the cluster; out of rotation until it runs",
                        r.deployment_id, r.index, obs.phase.value if obs else "unknown")
            r.phase, r.base_url, r.upstream_model = WAITING_GPU, None, None
            self.pool.notify()
        return False

    async def _remove(self, r: Replica) -> None:
        reps = self.pool.replicas.get(r.deployment_id, [])
        if r in reps:
            reps.remove(r)
        self.pool.notify()
        await self._stop_process(r)
        if r.gpu_tier:
            await self.provisioner.ensure_stopped(r.workload_id)

    @staticmethod
    async def _stop_process(r: Replica) -> None:
        task, r.task = r.task, None
        if task is not None:
            task.cancel()
            # Bounded: a start that does not end once cancelled must not hold up shutdown forever.
            done, _ = await asyncio.wait({task}, timeout=START_CANCEL_WAIT_SECONDS)
            if task not in done:
                log.warning("replica %s: its start had not ended %ss after being cancelled",
                            r.workload_id, START_CANCEL_WAIT_SECONDS)
            elif not task.cancelled() and task.exception() is None and task.result() is not None:
                r.handle = task.result()
        handle, r.handle = r.handle, None
        r.phase = "stopped"
        if handle is not None:
            try:
                await handle.stop()
            except Exception:
                log.exception("replica %s could not be stopped", r.workload_id)

    # -- the database --------------------------------------------------------------------------------

    async def _claim_gpu(self, d: ModelDeployment, held: int) -> str | None:
        """Count one more replica's GPU in the tenant's usage, if it fits its limit."""
        try:
            async with self.db.transaction() as s:
                await s.execute(update(ModelDeployment).where(ModelDeployment.id == d.id)
                                .values(gpu_replicas=held))
                assert d.tenant_id is not None
                await quotas.check_gpus(s, self.settings, d.tenant_id, 1)
                await s.execute(update(ModelDeployment).where(ModelDeployment.id == d.id)
                                .values(gpu_replicas=held + 1))
        except Conflict as exc:
            return exc.message
        d.gpu_replicas = held + 1
        return None

    async def _record(self, d: ModelDeployment, desired: int, reps: list[Replica], reason: str | None, *,
                      external: bool) -> bool:
        ready = sum(1 for r in reps if r.phase == READY)
        held = [*reps, *(r for r in self._draining if r.deployment_id == d.id)]
        gpus = sum(1 for r in held if r.gpu_tier) if d.tenant_id is not None else 0
        if external:
            status = Status.READY
        elif d.stopped and not reps:
            status, reason = Status.STOPPED, STOPPED_REASON
        elif desired == 0 and not reps:
            status, reason = Status.SCALED_TO_ZERO, IDLE_REASON
        elif ready == desired and len(reps) == desired:
            status, reason = Status.READY, None
        elif d.status == Status.PENDING and ready == 0 and not d.ready_replicas:
            status = Status.PENDING
        else:
            status = Status.SCALING
        endpoints = sorted((endpoint(Target(r.base_url, r.upstream_model)) for r in reps
                            if r.phase == READY and r.base_url), key=lambda e: (e["url"], e["model"] or ""))
        wanted = (status, reason, desired, ready, gpus, endpoints)
        if (d.status, d.status_reason, d.desired_replicas, d.ready_replicas, d.gpu_replicas,
                list(d.endpoints or ())) == wanted:
            return False
        async with self.db.transaction() as s:
            fresh = await s.get(ModelDeployment, d.id, with_for_update=True)
            if fresh is None or fresh.status == Status.DELETED or fresh.stopped != d.stopped:
                return False  # changed meanwhile: the next pass sees it
            entered = fresh.status != status
            fresh.status, fresh.status_reason = status, reason
            fresh.desired_replicas, fresh.ready_replicas, fresh.gpu_replicas = desired, ready, gpus
            fresh.endpoints = endpoints
            fresh.updated_at = utcnow()
            if entered and status in (Status.READY, Status.SCALED_TO_ZERO):
                record_event(s, fresh, f"model.{status}")
        d.status, d.status_reason = status, reason
        d.desired_replicas, d.ready_replicas, d.gpu_replicas = desired, ready, gpus
        d.endpoints = endpoints
        return True

    async def _record_gone(self, d: ModelDeployment) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(ModelDeployment).where(ModelDeployment.id == d.id)
                            .values(gpu_replicas=0, ready_replicas=0, desired_replicas=0, endpoints=[]))
