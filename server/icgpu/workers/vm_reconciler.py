"""The VM reconciler: drives each VM towards its status, like the instance reconciler.

* A GPU VM's workload (id = the VM id, interactive priority, so it may preempt batch instances)
  takes one slot of its tier on the provisioner; an eviction or failure is an ``error``.
* A CPU-only VM is a workload the same way, of no tier (``NO_GPU_TIER``), on a provisioner that runs
  them (``Provisioner.runs_cpu_vms``: Kubernetes, where it is a VirtualMachine without a GPU device).
  On one that does not (the local simulator, whose node has GPU slots only) it takes no slot: it is
  ``provisioning`` as soon as the reconciler sees it pending, ``running`` ``local_provision_seconds``
  later, and ``stopped`` ``local_stop_seconds`` after a stop.
* A reboot keeps the VM's slot: ``rebooting`` becomes ``running`` again after the boot time.
* The spec carries the VM's attached networks and persistent disks; when they change while it runs,
  the new spec is given to ``ensure_running`` (the Kubernetes provisioner re-applies the
  VirtualMachine with the disks' volumes and the networks' labels).
* A stop keeps a VM's storage where the provisioner can halt a VM (``VmHalting``: Kubernetes, where
  the VirtualMachine gets ``runStrategy: Halted``: the compute goes, the GPU is free, the root
  DataVolume and disk claim stay): a stopping VM is halted, a stopped VM's workload is kept (not
  released below), and a start runs the same workload again (``ensure_running``: the same root disk).
  A deleted VM's workload is released with everything. Elsewhere (the local simulator) a stop
  releases the workload as a delete does.
* A running VM past its ``auto_stop_at`` is stopped (``vm.auto_stopped``, then ``vm.stopped``).
* A VM whose workload the provisioner refuses (``WorkloadRefused``: it cannot run it at all) is an
  ``error`` with the reason (``vm.error``), once; ``start`` asks again.

Only workloads whose id starts with ``vm-`` are released here; the other families release theirs.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select

from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import Vm, VmNetworkAttachment
from icgpu.provisioning.base import (
    NO_GPU_TIER,
    PRIORITY_INTERACTIVE,
    Observation,
    Phase,
    Provisioner,
    VmHalting,
    WorkloadKind,
    WorkloadSpec,
)
from icgpu.provisioning.details import VmDetails, WorkloadRefused
from icgpu.services.signals import Signals
from icgpu.services.ssh_keys import authorized_keys
from icgpu.services.vm_disks import DiskStatus
from icgpu.services.vm_states import ACTIVE, VmStatus
from icgpu.services.vm_templates import get_template
from icgpu.services.vms import minute_of, move
from icgpu.settings import Settings
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)
VM_PREFIX = "vm-"
CPU_SSH_PORT = 22
AUTO_STOPPED = "auto-stopped"


class VmReconciler(LevelTriggered):
    task_name = "vm-reconciler"

    def __init__(self, db: Database, provisioner: Provisioner, signals: Signals, settings: Settings) -> None:
        self.db = db
        self.provisioner = provisioner
        self.signals = signals
        self.settings = settings
        self.interval = settings.reconcile_interval_seconds
        self.boot = timedelta(seconds=settings.local_provision_seconds)
        self.halt = timedelta(seconds=settings.local_stop_seconds)
        self._asked: dict[str, WorkloadSpec] = {}  # VM id -> the spec last given to ensure_running

    async def reconcile_once(self) -> None:
        async with self.db.read() as s:
            rows = (await s.scalars(select(Vm).where(Vm.status.in_([st.value for st in ACTIVE]))
                                    .order_by(Vm.created_at))).all()
        changed = False
        provisioned = {r.id for r in rows if self._provisioned(r)}  # their workloads are kept (or being halted)
        holding = {r.id for r in rows if r.id in provisioned and r.status != VmStatus.STOPPING}
        self._asked = {vm_id: spec for vm_id, spec in self._asked.items() if vm_id in holding}
        now = utcnow()
        for vm in rows:
            try:
                if vm.status == VmStatus.RUNNING and vm.auto_stop_at is not None and vm.auto_stop_at <= now:
                    changed |= await self._record(vm, VmStatus.STOPPING, f"{AUTO_STOPPED} after "
                                                  f"{vm.auto_stop_after_minutes} minute(s)",
                                                  event_type="vm.auto_stopped")
                elif self._provisioned(vm):
                    changed |= await self._workload(vm)
                else:
                    changed |= await self._cpu(vm)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reconciling VM %s failed", vm.id)
        orphans = [w for w in await self.provisioner.workloads() if w.startswith(VM_PREFIX) and w not in provisioned]
        for workload_id in set(orphans) - await self._halted(orphans):
            await self.provisioner.ensure_stopped(workload_id)
        if changed:
            self.signals.changed()

    async def _halted(self, workload_ids: list[str]) -> set[str]:
        """Of these workloads, those of stopped VMs, kept where the provisioner halts VMs (their disks
        outlive the stop); one read of ids, only when there are any."""
        if not workload_ids or not isinstance(self.provisioner, VmHalting):
            return set()
        async with self.db.read() as s:
            return set((await s.scalars(select(Vm.id).where(Vm.id.in_(workload_ids),
                                                            Vm.status == VmStatus.STOPPED.value))).all())

    def _provisioned(self, vm: Vm) -> bool:
        """Is the VM a workload of the provisioner (every GPU VM; a CPU-only one where it runs them)?"""
        return vm.gpu_tier is not None or self.provisioner.runs_cpu_vms

    # -- CPU-only VMs on a provisioner that does not run them: timed transitions, no slot --------------

    async def _cpu(self, vm: Vm) -> bool:
        status = VmStatus(vm.status)
        since = vm.updated_at
        if status is VmStatus.PENDING:
            return await self._record(vm, VmStatus.PROVISIONING, "booting (CPU only)")
        if status in (VmStatus.PROVISIONING, VmStatus.REBOOTING) and since + self.boot <= utcnow():
            return await self._record(vm, VmStatus.RUNNING, None, host=self.settings.local_ssh_host,
                                      port=CPU_SSH_PORT)
        if status is VmStatus.STOPPING and since + self.halt <= utcnow():
            return await self._record(vm, VmStatus.STOPPED, self._stopped_reason(vm))
        return False

    # -- GPU VMs (a slot of their tier), and CPU-only ones where the provisioner runs them ------------

    async def _workload(self, vm: Vm) -> bool:
        status = VmStatus(vm.status)
        if status is VmStatus.STOPPING:
            # Halted where the provisioner can (the storage kept for the next start), else released.
            obs = await (self.provisioner.halt(vm.id) if isinstance(self.provisioner, VmHalting)
                         else self.provisioner.ensure_stopped(vm.id))
            if obs.phase is Phase.ABSENT:
                return await self._record(vm, VmStatus.STOPPED, self._stopped_reason(vm))
            return False
        if status is VmStatus.RUNNING:
            obs = (await self.provisioner.observe([vm.id]))[vm.id]
            if obs.phase is not Phase.RUNNING:
                return await self._apply(vm, obs)
            spec = await self._spec(vm)
            if self._asked.get(vm.id) == spec:
                return False
            # A disk or network attached or detached while it runs: the provisioner updates its objects.
            return await self._ensure(vm, spec, replace_failed=False)
        return await self._ensure(vm, await self._spec(vm), replace_failed=status is VmStatus.PENDING)

    async def _ensure(self, vm: Vm, spec: WorkloadSpec, *, replace_failed: bool) -> bool:
        try:
            obs = await self.provisioner.ensure_running(spec, replace_failed=replace_failed)
        except WorkloadRefused as refused:
            return await self._record(vm, VmStatus.ERROR, f"cannot run here: {refused}")
        self._asked[vm.id] = spec
        return await self._apply(vm, obs)

    async def _apply(self, vm: Vm, obs: Observation) -> bool:
        status = VmStatus(vm.status)
        if obs.phase in (Phase.EVICTED, Phase.FAILED):
            return await self._record(vm, VmStatus.ERROR, obs.reason or "workload failed")
        if obs.phase is Phase.UNSCHEDULABLE:
            if status is VmStatus.PENDING and vm.status_reason != obs.reason:
                await self._note(vm, obs.reason)
            return False
        if obs.phase is Phase.STARTING and status is VmStatus.PENDING:
            return await self._record(vm, VmStatus.PROVISIONING, _starting(obs))
        if obs.phase is Phase.RUNNING:
            if status is VmStatus.PENDING:
                await self._record(vm, VmStatus.PROVISIONING, _starting(obs))
                return await self._record(vm, VmStatus.RUNNING, None, host=obs.host, port=obs.port)
            if status is VmStatus.PROVISIONING:
                return await self._record(vm, VmStatus.RUNNING, None, host=obs.host, port=obs.port)
            if status is VmStatus.REBOOTING and vm.updated_at + self.boot <= utcnow():
                return await self._record(vm, VmStatus.RUNNING, None, host=obs.host, port=obs.port)
        if obs.phase is Phase.ABSENT and status in (VmStatus.RUNNING, VmStatus.REBOOTING):
            return await self._record(vm, VmStatus.PROVISIONING, "workload lost; provisioning again")
        return False

    # -- recording -----------------------------------------------------------------------------------

    @staticmethod
    def _stopped_reason(vm: Vm) -> str:
        reason = vm.status_reason or ""
        return reason if reason.startswith(AUTO_STOPPED) else "stopped"

    async def _record(self, vm: Vm, target: VmStatus, reason: str | None, *, host: str | None = None,
                      port: int | None = None, event_type: str | None = None) -> bool:
        """Compare-and-set: apply only if nobody changed the status since we read it."""
        async with self.db.transaction() as s:
            fresh = await s.get(Vm, vm.id, with_for_update=True)
            if fresh is None or fresh.status != vm.status:
                return False
            if target is VmStatus.RUNNING:
                fresh.ssh_host, fresh.ssh_port = host, port
            move(s, fresh, target, reason=reason, event_type=event_type, minute=minute_of(self.settings))
        vm.status, vm.status_reason, vm.updated_at = fresh.status, fresh.status_reason, fresh.updated_at
        return True

    async def _note(self, vm: Vm, reason: str | None) -> None:
        async with self.db.transaction() as s:
            fresh = await s.get(Vm, vm.id, with_for_update=True)
            if fresh is not None and fresh.status == vm.status:
                fresh.status_reason = reason

    async def _spec(self, vm: Vm) -> WorkloadSpec:
        async with self.db.read() as s:
            keys = await authorized_keys(s, vm.ssh_key, vm.ssh_key_group_id)
            networks = (await s.scalars(select(VmNetworkAttachment.network_id)
                                        .where(VmNetworkAttachment.vm_id == vm.id)
                                        .order_by(VmNetworkAttachment.network_id))).all()
            disks = (await s.scalars(select(VmDisk.id).where(VmDisk.vm_id == vm.id,
                                                             VmDisk.status == DiskStatus.ATTACHED.value)
                                     .order_by(VmDisk.id))).all()
        template = get_template(vm.template_id)
        details = VmDetails(cpu=vm.cpu, memory_gb=vm.memory_gb, template_id=vm.template_id, os=template.os,
                            network_ids=tuple(networks), disk_ids=tuple(disks), root_disk_gb=template.min_disk_gb)
        tier = vm.gpu_tier if vm.gpu_tier is not None else NO_GPU_TIER
        return WorkloadSpec(instance_id=vm.id, tier=tier, priority=PRIORITY_INTERACTIVE,
                            storage_gb=vm.disk_gb, authorized_keys=keys, kind=WorkloadKind.VM,
                            tenant_id=vm.tenant_id, details=details)


def _starting(obs: Observation) -> str:
    """Why a VM is provisioning: the slot it was scheduled on where the provisioner names one (the
    simulator), else what it says or "starting" (a VirtualMachine: KubeVirt picks the node)."""
    return f"scheduled on {obs.slot}" if obs.slot else obs.reason or "starting"
