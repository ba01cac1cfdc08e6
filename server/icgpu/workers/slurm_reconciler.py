"""The Slurm reconciler: places each live environment's GPUs on the shared inventory and records
what it sees; releases the workloads of environments that no longer hold GPUs.

One provisioner workload per GPU, id ``<environment id>.<n>``, at interactive priority (a Slurm
node is never preempted by an instance; it may preempt batch work when it is placed). Placement is
all or nothing: the missing GPUs are asked for only when the tier has that many free, so a waiting
environment holds no GPU another workload could use. Level-triggered and idempotent, like the
instance reconciler: everything it needs is in the tables, so a restart resumes on the next pass.
Only workloads whose ids carry the ``slurm-`` prefix are released here. A node the provisioner
refuses (``WorkloadRefused``: it cannot run it at all) puts the environment in ``error`` with the
reason, once, and releases the nodes already placed, as a failed node does.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from icgpu.db.database import Database
from icgpu.db.tables_slurm import SlurmEnvironment
from icgpu.provisioning.base import PRIORITY_INTERACTIVE, Observation, Phase, Provisioner, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import SlurmNodeDetails, WorkloadRefused
from icgpu.services.signals import Signals
from icgpu.services.slurm import HOLDS_GPUS, PREFIX, SSH_USER, SlurmStatus, move, workload_ids
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)
WORKLOAD_PREFIX = f"{PREFIX}-"
PLACED = (Phase.STARTING, Phase.RUNNING)
S = SlurmStatus


class SlurmReconciler(LevelTriggered):
    task_name = "slurm-reconciler"

    def __init__(self, db: Database, provisioner: Provisioner, signals: Signals, interval: float) -> None:
        self.db = db
        self.provisioner = provisioner
        self.signals = signals
        self.interval = interval

    async def reconcile_once(self) -> None:
        async with self.db.read() as s:
            envs = (await s.scalars(select(SlurmEnvironment).where(SlurmEnvironment.status.in_(HOLDS_GPUS))
                                    .order_by(SlurmEnvironment.created_at, SlurmEnvironment.id))).all()
        changed = False
        wanted: set[str] = set()
        for env in envs:
            wanted.update(workload_ids(env.id, env.total_gpus))
            changed |= await self._reconcile(env)
        for workload in await self.provisioner.workloads():
            if workload.startswith(WORKLOAD_PREFIX) and workload not in wanted:
                await self.provisioner.ensure_stopped(workload)
        if changed:
            self.signals.changed()

    async def _reconcile(self, env: SlurmEnvironment) -> bool:
        ids = workload_ids(env.id, env.total_gpus)
        seen = await self.provisioner.observe(ids)
        failed = [i for i in ids if seen[i].phase is Phase.FAILED]
        if failed:
            await self._stop_all(ids)
            return await self._record(env, S.ERROR, f"node workload {failed[0]} failed: "
                                                    f"{seen[failed[0]].reason or 'unknown reason'}")
        missing = [i for i in ids if seen[i].phase not in PLACED]
        if missing:
            free = await self._free(env.gpu_tier)
            if free >= len(missing):
                for workload in missing:
                    try:
                        seen[workload] = await self.provisioner.ensure_running(self._spec(env, workload),
                                                                               replace_failed=True)
                    except WorkloadRefused as refused:
                        await self._stop_all(ids)
                        return await self._record(env, S.ERROR, f"node workload {workload} cannot run here: "
                                                                f"{refused}")
                missing = [i for i in ids if seen[i].phase not in PLACED]
        placed = len(ids) - len(missing)
        if missing:
            reason = (f"waiting for {len(missing)} free {env.gpu_tier} GPUs "
                      f"({placed} of {len(ids)} placed)")
            if env.status != S.PENDING:
                return await self._record(env, S.PENDING, reason, placed=placed)
            return await self._note(env, reason, placed)
        head = seen[ids[0]]
        if all(seen[i].phase is Phase.RUNNING for i in ids):
            if env.status != S.READY:
                return await self._record(env, S.READY, None, placed=placed, head=head)
            return False
        if env.status != S.PROVISIONING:
            return await self._record(env, S.PROVISIONING, f"{len(ids)} GPUs placed; nodes starting",
                                      placed=placed)
        return await self._note(env, env.status_reason, placed)

    async def _free(self, tier: str) -> int:
        for cap in await self.provisioner.capacity():
            if cap.tier == tier:
                return cap.available
        return 0

    async def _stop_all(self, ids: list[str]) -> None:
        for workload in ids:
            await self.provisioner.ensure_stopped(workload)

    @staticmethod
    def _spec(env: SlurmEnvironment, workload: str) -> WorkloadSpec:
        node = int(workload.rpartition(".")[2])  # services/slurm.py: <environment id>.<n>, .0 the head
        return WorkloadSpec(instance_id=workload, tier=env.gpu_tier, priority=PRIORITY_INTERACTIVE,
                            storage_gb=0, authorized_keys="", kind=WorkloadKind.SLURM_NODE, tenant_id=env.tenant_id,
                            details=SlurmNodeDetails(environment_id=env.id, node=node))

    async def _record(self, env: SlurmEnvironment, target: SlurmStatus, reason: str | None, *,
                      placed: int = 0, head: Observation | None = None) -> bool:
        """Compare-and-set: apply only if nobody changed the status since we read it."""
        async with self.db.transaction() as s:
            fresh = await s.get(SlurmEnvironment, env.id, with_for_update=True)
            if fresh is None or fresh.status != env.status:
                return False
            fresh.gpus_placed = placed
            move(s, fresh, target, reason=reason)
            if target is S.READY and head is not None:
                fresh.ssh_host, fresh.ssh_port, fresh.ssh_user = head.host, head.port, SSH_USER
        env.status, env.status_reason = fresh.status, fresh.status_reason
        return True

    async def _note(self, env: SlurmEnvironment, reason: str | None, placed: int) -> bool:
        """A new reason or count without a change of status (no event)."""
        if env.status_reason == reason and env.gpus_placed == placed:
            return False
        async with self.db.transaction() as s:
            fresh = await s.get(SlurmEnvironment, env.id, with_for_update=True)
            if fresh is None or fresh.status != env.status:
                return False
            fresh.status_reason, fresh.gpus_placed = reason, placed
        return False
