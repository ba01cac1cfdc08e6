"""The instance reconciler: drives each instance's cluster workload towards its status.

Level-triggered and idempotent: every pass reads the instances that want capacity or want it
released, asks the provisioner for the workload state and records what it sees. Nothing it needs
lives in memory, so a restart mid-transition simply resumes on the next pass. An instance the
provisioner refuses (``WorkloadRefused``: it cannot run it at all) goes to ``error`` with the reason,
once, instead of being asked for again on every pass.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from icgpu.db.database import Database
from icgpu.db.tables import Instance
from icgpu.events import outbox
from icgpu.provisioning.base import (
    PRIORITY_BATCH,
    PRIORITY_INTERACTIVE,
    Observation,
    Phase,
    Provisioner,
    WorkloadKind,
    WorkloadSpec,
)
from icgpu.provisioning.details import WorkloadRefused
from icgpu.services.instance_states import Status
from icgpu.services.instances import move, snapshot
from icgpu.services.signals import Signals
from icgpu.services.ssh_keys import authorized_keys
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)
INSTANCE_PREFIX = "inst-"
ACTIVE = (Status.PENDING, Status.PROVISIONING, Status.RUNNING, Status.STOPPING)
AUTO_STOPPED = "auto-stopped"  # the start of an auto-stopped instance's status_reason


class Reconciler(LevelTriggered):
    task_name = "reconciler"

    def __init__(self, db: Database, provisioner: Provisioner, signals: Signals, interval: float, *,
                 auto_stop_minute_seconds: float = 60.0) -> None:
        self.db = db
        self.provisioner = provisioner
        self.signals = signals
        self.interval = interval
        self.minute_seconds = auto_stop_minute_seconds

    async def reconcile_once(self) -> None:
        async with self.db.read() as s:
            rows = (await s.scalars(
                select(Instance).where(Instance.status.in_([st.value for st in ACTIVE]))
                .order_by(Instance.workload_type.desc(), Instance.created_at)  # interactive first
            )).all()
        changed = False
        active_ids = {r.id for r in rows if r.status != Status.STOPPING}
        # Running instances are only observed: one batched call for all of them.
        running = [r for r in rows if r.status == Status.RUNNING]
        seen = await self.provisioner.observe([r.id for r in running]) if running else {}
        now = datetime.now(UTC)
        for inst in rows:
            if inst.status == Status.RUNNING and inst.auto_stop_at is not None and inst.auto_stop_at <= now:
                changed |= await self._auto_stop(inst)
                continue
            if inst.status == Status.RUNNING:
                obs = seen[inst.id]
                if obs.phase is not Phase.RUNNING:
                    changed |= await self._apply(inst, obs)
            else:
                changed |= await self._reconcile(inst)
        # Release every workload whose instance no longer wants capacity (stopped, preempted,
        # terminated, errored, or gone from the table).
        # Only instance workloads: VMs, Slurm nodes and function runs share the provisioner, and
        # each kind's own reconciler releases its own (workload ids carry the resource's prefix).
        for instance_id in await self.provisioner.workloads():
            if instance_id.startswith(INSTANCE_PREFIX) and instance_id not in active_ids:
                await self.provisioner.ensure_stopped(instance_id)
        if changed:
            self.signals.changed()

    async def _reconcile(self, inst: Instance) -> bool:
        status = Status(inst.status)
        if status is Status.STOPPING:
            obs = await self.provisioner.ensure_stopped(inst.id)
            if obs.phase is Phase.ABSENT:
                auto = inst.status_reason if (inst.status_reason or "").startswith(AUTO_STOPPED) else None
                return await self._record(inst, Status.STOPPED, auto or "stopped")
            return False
        try:
            obs = await self.provisioner.ensure_running(await self._spec(inst),
                                                        replace_failed=status is Status.PENDING)
        except WorkloadRefused as refused:
            return await self._record(inst, Status.ERROR, f"cannot run here: {refused}")
        return await self._apply(inst, obs)

    async def _apply(self, inst: Instance, obs: Observation) -> bool:
        status = Status(inst.status)
        if obs.phase is Phase.EVICTED:
            target = Status.PREEMPTED if inst.workload_type == "batch" else Status.ERROR
            return await self._record(inst, target, obs.reason or "evicted")
        if obs.phase is Phase.FAILED:
            return await self._record(inst, Status.ERROR, obs.reason or "workload failed")
        if obs.phase is Phase.UNSCHEDULABLE:
            if status is Status.PENDING and inst.status_reason != obs.reason:
                return await self._note(inst, obs.reason)
            return False
        if obs.phase is Phase.STARTING and status is Status.PENDING:
            return await self._record(inst, Status.PROVISIONING, "workload scheduled on " + (obs.slot or "?"))
        if obs.phase is Phase.RUNNING and status in (Status.PENDING, Status.PROVISIONING):
            if status is Status.PENDING:
                await self._record(inst, Status.PROVISIONING, "workload scheduled on " + (obs.slot or "?"))
            return await self._record(inst, Status.RUNNING, None, host=obs.host, port=obs.port)
        if obs.phase is Phase.ABSENT and status is Status.RUNNING:
            # The workload vanished under a running instance: provision it again.
            return await self._record(inst, Status.PROVISIONING, "workload lost; provisioning again")
        return False

    async def _record(
        self, inst: Instance, target: Status, reason: str | None, *, host: str | None = None,
        port: int | None = None,
    ) -> bool:
        """Compare-and-set: apply only if nobody changed the status since we read it."""
        async with self.db.transaction() as s:
            fresh = await s.get(Instance, inst.id, with_for_update=True)
            if fresh is None or fresh.status != inst.status:
                return False
            move(s, fresh, target, reason=reason, minute_seconds=self.minute_seconds)
            if target is Status.RUNNING:
                fresh.ssh_host, fresh.ssh_port = host, port
        inst.status, inst.status_reason = fresh.status, fresh.status_reason
        return True

    async def _auto_stop(self, inst: Instance) -> bool:
        """A running instance past its ``auto_stop_after_minutes``: stop it, with an
        ``instance.auto_stopped`` event beside the usual stopping/stopped ones (compare-and-set)."""
        async with self.db.transaction() as s:
            fresh = await s.get(Instance, inst.id, with_for_update=True)
            if (fresh is None or fresh.status != Status.RUNNING.value or fresh.auto_stop_at is None
                    or fresh.auto_stop_at > datetime.now(UTC)):
                return False
            minutes = fresh.auto_stop_after_minutes
            reason = f"{AUTO_STOPPED} after {minutes} minute{'s' if minutes != 1 else ''} running " \
                     "(auto_stop_after_minutes)"
            move(s, fresh, Status.STOPPING, reason=reason)
            outbox.record(s, "instance.auto_stopped", tenant_id=fresh.tenant_id, account_id=fresh.account_id,
                          team_id=fresh.team_id, resource_type="instance", resource_id=fresh.id,
                          data={**snapshot(fresh), "previous_status": Status.RUNNING.value})
        inst.status, inst.status_reason = fresh.status, fresh.status_reason
        return True

    async def _note(self, inst: Instance, reason: str | None) -> bool:
        async with self.db.transaction() as s:
            fresh = await s.get(Instance, inst.id, with_for_update=True)
            if fresh is None or fresh.status != inst.status:
                return False
            fresh.status_reason = reason
        return False

    async def _spec(self, inst: Instance) -> WorkloadSpec:
        async with self.db.read() as s:
            keys = await authorized_keys(s, inst.ssh_key, inst.ssh_key_group_id)
        return WorkloadSpec(
            instance_id=inst.id,
            tier=inst.tier,
            priority=PRIORITY_BATCH if inst.workload_type == "batch" else PRIORITY_INTERACTIVE,
            storage_gb=inst.storage_gb,
            authorized_keys=keys,
            kind=WorkloadKind.INSTANCE,
            tenant_id=inst.tenant_id,
        )
