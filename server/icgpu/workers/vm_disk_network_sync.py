"""Keeps the provisioner's copy of tenants' persistent VM disks and VM networks (with their firewall
rules) as the database says, for a provisioner that holds them as objects of their own
(``base.VmDisksAndNetworks``: the Kubernetes one makes PVCs and NetworkPolicies).

Level-triggered like the reconcilers: each pass reads every live disk and every network with its
rules and hands them to the provisioner, which applies what is missing or changed and deletes what
is no longer wanted (a deleted disk or network); woken by the platform's Signals after a write, and
every reconcile interval besides (so a change no service signals still arrives within one). Disks and
networks outlive VMs, so this is not the VM reconciler's work; attaching them to a VM is
(workers/vm_reconciler.py puts the VM's disks and networks in its spec).
"""

from __future__ import annotations

from sqlalchemy import select

from icgpu.db.database import Database
from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import FirewallRule, VmNetwork
from icgpu.provisioning.base import Provisioner, VmDisksAndNetworks
from icgpu.services.vm_disks import DiskStatus
from icgpu.settings import Settings
from icgpu.workers.background import LevelTriggered


class VmDiskNetworkSync(LevelTriggered):
    task_name = "vm-disk-network-sync"

    def __init__(self, db: Database, provisioner: VmDisksAndNetworks, settings: Settings) -> None:
        self.db = db
        self.provisioner = provisioner
        self.interval = settings.reconcile_interval_seconds

    @classmethod
    def for_provisioner(cls, db: Database, provisioner: Provisioner, settings: Settings) -> VmDiskNetworkSync | None:
        """The worker, if the provisioner keeps disks and networks at all (the local simulator does not)."""
        if isinstance(provisioner, VmDisksAndNetworks):
            return cls(db, provisioner, settings)
        return None

    async def reconcile_once(self) -> None:
        async with self.db.read() as s:
            disks = (await s.scalars(select(VmDisk).where(VmDisk.status != DiskStatus.DELETED.value)
                                     .order_by(VmDisk.id))).all()
            networks = (await s.scalars(select(VmNetwork).order_by(VmNetwork.id))).all()
            rules = (await s.scalars(select(FirewallRule).order_by(FirewallRule.created_at, FirewallRule.id))).all()
        by_network: dict[str, list[FirewallRule]] = {}
        for rule in rules:
            by_network.setdefault(rule.network_id, []).append(rule)
        await self.provisioner.sync_vm_disks_and_networks(
            disks, [(network, by_network.get(network.id, [])) for network in networks])
