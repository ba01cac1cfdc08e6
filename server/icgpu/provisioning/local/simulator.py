"""The local provisioner: a single simulated GPU node with real scheduling semantics.

It stands in for a Kubernetes cluster where none can run. Its state (one row per workload in
``sim_pods``) lives beside the control plane's tables, so, like a real cluster, it outlives a
control-plane restart. Semantics it keeps:

* every workload takes one slot of its tier's inventory (a whole GPU, a MIG slice or a
  time-sliced share); when none is free the workload is ``Unschedulable`` and retried;
* an interactive workload that finds its tier full evicts a batch workload of the same tier
  (priority preemption, as the Kubernetes scheduler does with priority classes); the victim is
  reported as ``Evicted`` with reason ``Preempted`` until it is cleaned up;
* starting takes ``local_provision_seconds`` and stopping ``local_stop_seconds`` of wall time;
* a workload of a tier the node has no slot of at all is refused (``WorkloadRefused``): no slot of
  it will ever free, so waiting for one would keep its owner pending for ever.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables import SimPod
from icgpu.provisioning.base import ModelEndpoint, Observation, Phase, TierCapacity, WorkloadResult, WorkloadSpec
from icgpu.provisioning.details import WorkloadRefused
from icgpu.provisioning.local.inventory import TIERS, Slot, parse_inventory
from icgpu.settings import Settings

SSH_PORT_BASE = 22000


class LocalProvisioner:
    # A slot is all it makes: the function runner executes a run's entrypoint on the host.
    runs_functions = False
    # Nor does it serve models: the model scaler starts a development-engine process for each replica.
    serves_models = False
    # Its node has GPU slots only: a CPU-only VM is no workload here (the VM reconciler times it).
    runs_cpu_vms = False

    def __init__(self, settings: Settings, db: Database) -> None:
        self.db = db
        self.host = settings.local_ssh_host
        self.provision_delay = timedelta(seconds=settings.local_provision_seconds)
        self.stop_delay = timedelta(seconds=settings.local_stop_seconds)
        self.inventory = settings.local_inventory
        self.slots: list[Slot] = parse_inventory(settings.local_inventory)
        self._by_name = {s.name: s for s in self.slots}

    async def start(self) -> None:
        """Nothing to connect: the simulated node lives in the database."""

    async def workload_result(self, instance_id: str) -> WorkloadResult:
        """Nothing ran in a simulated slot (``runs_functions`` is False: never asked)."""
        return WorkloadResult()

    def model_endpoint(self, workload_id: str) -> ModelEndpoint | None:
        """Nothing serves a model here (``serves_models`` is False: never asked)."""
        return None

    async def stop(self) -> None:
        """Nothing to disconnect."""

    # -- observation -------------------------------------------------------------------------

    def _observe(self, pod: SimPod | None) -> Observation:
        if pod is None:
            return Observation(Phase.ABSENT)
        phase = Phase(pod.phase)
        now = utcnow()
        if phase is Phase.STARTING and pod.ready_at is not None and pod.ready_at <= now:
            phase = Phase.RUNNING
        if phase is Phase.TERMINATING and pod.gone_at is not None and pod.gone_at <= now:
            phase = Phase.ABSENT
        live = phase in (Phase.STARTING, Phase.RUNNING)
        return Observation(
            phase=phase,
            slot=pod.slot,
            host=self.host if live else None,
            port=pod.port if live else None,
            reason=pod.reason,
        )

    async def observe(self, instance_ids: list[str]) -> dict[str, Observation]:
        async with self.db.read() as s:
            pods = (await s.scalars(select(SimPod).where(SimPod.instance_id.in_(instance_ids)))).all()
        found = {p.instance_id: p for p in pods}
        return {i: self._observe(found.get(i)) for i in instance_ids}

    async def workloads(self) -> list[str]:
        async with self.db.read() as s:
            return list((await s.scalars(select(SimPod.instance_id))).all())

    async def capacity(self) -> list[TierCapacity]:
        async with self.db.read() as s:
            used = set((await s.scalars(select(SimPod.slot).where(SimPod.slot.is_not(None)))).all())
        out = []
        for tier in TIERS:
            names = [sl.name for sl in self.slots if sl.tier == tier]
            out.append(TierCapacity(tier, len(names), sum(1 for n in names if n not in used)))
        return out

    # -- desired state -----------------------------------------------------------------------

    async def ensure_running(self, spec: WorkloadSpec, *, replace_failed: bool) -> Observation:
        if not any(sl.tier == spec.tier for sl in self.slots):
            raise WorkloadRefused(f"the simulated GPU node has no {spec.tier or 'GPU'} slot at all "
                                  f"(ICGPU_LOCAL_INVENTORY={self.inventory})")
        try:
            async with self.db.transaction() as s:
                pod = await s.get(SimPod, spec.instance_id, with_for_update=True)
                if pod is not None and replace_failed and pod.phase in (Phase.EVICTED.value,
                                                                        Phase.FAILED.value):
                    await s.delete(pod)
                    await s.flush()
                    pod = None
                if pod is None:
                    pod = SimPod(
                        instance_id=spec.instance_id,
                        tier=spec.tier,
                        priority=spec.priority,
                        phase=Phase.UNSCHEDULABLE.value,
                        authorized_keys=spec.authorized_keys,
                    )
                    s.add(pod)
                if pod.phase == Phase.UNSCHEDULABLE.value:
                    await self._schedule(s, pod)
                return self._observe(pod)
        except IntegrityError:
            # Another scheduler took the slot in the meantime: report and retry on the next pass.
            return Observation(Phase.UNSCHEDULABLE, reason="scheduling conflict, retrying")

    async def _schedule(self, s, pod: SimPod) -> None:  # type: ignore[no-untyped-def]
        rows = (await s.execute(select(SimPod.slot, SimPod).where(SimPod.slot.is_not(None)))).all()
        used = {slot: other for slot, other in rows}
        free = [sl for sl in self.slots if sl.tier == pod.tier and sl.name not in used]
        slot: Slot | None = free[0] if free else None
        if slot is None:
            victims = sorted(
                (o for o in used.values() if o.tier == pod.tier and o.priority < pod.priority
                 and o.phase in (Phase.STARTING.value, Phase.RUNNING.value)),
                key=lambda o: (o.priority, o.created_at),
            )
            if not victims:
                pod.reason = f"no free {pod.tier} GPU: waiting for capacity"
                return
            victim = victims[0]
            slot = self._by_name[victim.slot]
            victim.slot = None
            victim.port = None
            victim.phase = Phase.EVICTED.value
            victim.reason = f"Preempted by higher-priority workload {pod.instance_id}"
            await s.flush()
        pod.slot = slot.name
        pod.port = SSH_PORT_BASE + slot.index
        pod.phase = Phase.STARTING.value
        pod.reason = None
        pod.ready_at = utcnow() + self.provision_delay

    async def ensure_stopped(self, instance_id: str) -> Observation:
        async with self.db.transaction() as s:
            pod = await s.get(SimPod, instance_id, with_for_update=True)
            if pod is None:
                return Observation(Phase.ABSENT)
            obs = self._observe(pod)
            if obs.phase is Phase.ABSENT:
                await s.delete(pod)
                return obs
            if pod.phase in (Phase.UNSCHEDULABLE.value, Phase.EVICTED.value, Phase.FAILED.value):
                await s.delete(pod)  # nothing is running: it goes at once
                return Observation(Phase.ABSENT)
            if pod.phase != Phase.TERMINATING.value:
                pod.phase = Phase.TERMINATING.value
                pod.gone_at = utcnow() + self.stop_delay
                # The slot stays taken until the workload is gone, as on a real node.
            return self._observe(pod)
