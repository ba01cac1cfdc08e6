"""Keeps the provisioner's copy of tenants' persistent VM disks and VM networks (with their firewall
rules) as the database says, for a provisioner that holds them as objects of their own
(``base.VmDisksAndNetworks``: the Kubernetes one makes PVCs and NetworkPolicies).

Level-triggered like the reconcilers, and incremental: a pass costs what changed, not what the platform
holds.

- Every ``full_resync_seconds`` (``FULL_RESYNC_SECONDS`` unless the constructor is given another; the
  first pass after start is one) a full pass reads every live disk and every network with its rules and
  hands them to the provisioner, which compares every tenant's objects with the cluster: it applies what
  is missing or changed and deletes what is no longer wanted. This is what repairs drift (a PVC or
  NetworkPolicy deleted behind the platform's back) and what brings writes nothing told it of (a
  tenant's cascade delete, an outbox event committed long after a higher number was seen).
- In between, a pass syncs only the dirty tenants: those whose disks, networks or firewall rules a
  transaction of this process committed (``TenantChanges``, fed by the database session's own flushes,
  the writes that already wake the worker through the platform's Signals), and those the provisioner
  answered as not yet as wanted (retried after ``retry_seconds``), and those whose rows any process
  changed (``OutboxWatermark``: the API process of a server running with ICGPU_RUN_WORKERS=false beside
  ``icgpu worker``), found by one small query of the outbox per pass. Only their rows are read (three
  statements, by tenant) and only their namespaces listed; a pass with nothing dirty reads only the
  outbox's newest numbers.

Disks and networks outlive VMs, so this is not the VM reconciler's work; attaching them to a VM is
(workers/vm_reconciler.py puts the VM's disks and networks in its spec).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, func, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from icgpu.db.database import Database
from icgpu.db.tables import Event
from icgpu.db.tables_disks import VmDisk
from icgpu.db.tables_vms import FirewallRule, VmNetwork
from icgpu.provisioning.base import Provisioner, VmDisksAndNetworks
from icgpu.services.vm_disks import DiskStatus
from icgpu.settings import Settings
from icgpu.workers.background import LevelTriggered

FULL_RESYNC_SECONDS = 30.0  # every tenant's objects are compared with the cluster this often
RETRY_SECONDS = 10.0  # a tenant whose objects are not yet as wanted is synced again after this
# The outbox's resource types of disks and of networks (their firewall rules' events included).
RESOURCE_TYPES = ("vm_disk", "vm_network")
# An outbox number may commit this long after a higher one (PostgreSQL hands sequence numbers out at
# insert, not commit; events/bus.py waits as long for a gap).
LATE_COMMIT_SECONDS = 10.0


@dataclass
class Changed:
    """What committed writes touched: tenants, and networks whose rules changed (their tenant is read)."""

    tenants: set[str] = field(default_factory=set)
    networks: set[str] = field(default_factory=set)

    def add(self, other: Changed) -> None:
        self.tenants |= other.tenants
        self.networks |= other.networks

    def __bool__(self) -> bool:
        return bool(self.tenants or self.networks)


class TenantChanges:
    """The dirty set: every flush of a write session on this database notes the tenants of the disks,
    networks and firewall rules it inserted, changed or deleted; a commit makes them dirty, a rollback (a
    dry run's included) forgets them. Noted at commit, before the Signals wake the worker, so the pass
    that wakes sees them; a pass takes them before reading, so a later commit is the next pass's."""

    def __init__(self, db: Database) -> None:
        self._engine = db.engine.sync_engine
        self._key = ("vm-disk-network-changes", id(self))  # this listener's notes in a session's info
        self._dirty = Changed()
        self._listening = False

    def start(self) -> None:
        if not self._listening:
            event.listen(Session, "after_flush", self._flushed)
            event.listen(Session, "after_commit", self._committed)
            event.listen(Session, "after_soft_rollback", self._rolled_back)
            self._listening = True

    def stop(self) -> None:
        if self._listening:
            event.remove(Session, "after_flush", self._flushed)
            event.remove(Session, "after_commit", self._committed)
            event.remove(Session, "after_soft_rollback", self._rolled_back)
            self._listening = False

    def take(self) -> Changed:
        taken, self._dirty = self._dirty, Changed()
        return taken

    def put_back(self, changed: Changed) -> None:
        """A pass that failed: its tenants stay dirty."""
        self._dirty.add(changed)

    def _flushed(self, session: Session, _context: Any) -> None:
        if session.bind is not self._engine:
            return
        noted: Changed = session.info.setdefault(self._key, Changed())
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, VmDisk | VmNetwork):
                noted.tenants.add(obj.tenant_id)
            elif isinstance(obj, FirewallRule):
                network = session.identity_map.get(identity_key(VmNetwork, obj.network_id))
                if isinstance(network, VmNetwork):
                    noted.tenants.add(network.tenant_id)
                else:
                    noted.networks.add(obj.network_id)

    def _committed(self, session: Session) -> None:
        noted = session.info.pop(self._key, None)
        if noted is not None:
            self._dirty.add(noted)

    def _rolled_back(self, session: Session, _previous: Any) -> None:
        session.info.pop(self._key, None)


class OutboxWatermark:
    """The tenants whose disks, networks or firewall rules any process changed since the last look, read
    from the outbox: every such write records an event of resource type ``vm_disk`` or ``vm_network`` in
    its own transaction (services/vm_disks.py, services/vm_networks.py), deletions included, with the
    tenant. A look is one statement: the events of those types numbered above the floor, and the highest
    number. ``events.seq`` is the primary key, so both are index ranges on SQLite and PostgreSQL alike,
    however long the outbox; the tables of disks, networks and rules are not read (rules have no
    ``updated_at`` and are deleted outright, so watermarks on them could not name the tenant).

    Numbers may commit out of order: the floor is the highest number seen ``late_commit_seconds`` ago,
    and events above it already taken are remembered, so a late commit is still taken, and once."""

    def __init__(self, late_commit_seconds: float = LATE_COMMIT_SECONDS) -> None:
        self.late_commit_seconds = late_commit_seconds
        self.floor: int | None = None  # every event numbered up to here is taken (None: not looked yet)
        self._taken: set[int] = set()  # events above the floor already taken
        self._highs: deque[tuple[float, int]] = deque()  # (monotonic time, highest number seen then)

    async def changed_tenants(self, s: AsyncSession, now: float) -> set[str]:
        """The tenants of the events not taken yet (none at the first look: it sets the floor, before the
        full pass that reads everything)."""
        highest = func.coalesce(func.max(Event.seq), 0)
        if self.floor is None:
            self.floor = int(await s.scalar(select(highest)) or 0)
            return set()
        newer = select(Event.seq, Event.tenant_id).where(Event.seq > self.floor,
                                                         Event.resource_type.in_(RESOURCE_TYPES))
        found: Any = await s.execute(union_all(newer, select(highest, null())))
        rows: list[tuple[int, str | None]] = [(int(seq), tenant) for seq, tenant in found]  # the highest: no tenant
        high = max(seq for seq, tenant in rows if tenant is None)
        fresh = {seq: tenant for seq, tenant in rows if tenant is not None and seq not in self._taken}
        self._taken |= fresh.keys()
        self._highs.append((now, high))
        while self._highs and self._highs[0][0] <= now - self.late_commit_seconds:
            self.floor = max(self.floor, self._highs.popleft()[1])
        self._taken = {seq for seq in self._taken if seq > self.floor}
        return set(fresh.values())


class VmDiskNetworkSync(LevelTriggered):
    task_name = "vm-disk-network-sync"

    def __init__(self, db: Database, provisioner: VmDisksAndNetworks, settings: Settings, *,
                 full_resync_seconds: float = FULL_RESYNC_SECONDS, retry_seconds: float = RETRY_SECONDS) -> None:
        self.db = db
        self.provisioner = provisioner
        self.interval = settings.reconcile_interval_seconds
        self.full_resync_seconds = full_resync_seconds
        self.retry_seconds = retry_seconds
        self.changes = TenantChanges(db)
        self.outbox = OutboxWatermark()
        self._full_at = 0.0  # monotonic time of the next full pass (the first pass is one)
        self._retry_at: dict[str, float] = {}  # tenant id -> when to sync it again (not yet as wanted)

    @classmethod
    def for_provisioner(cls, db: Database, provisioner: Provisioner, settings: Settings) -> VmDiskNetworkSync | None:
        """The worker, if the provisioner keeps disks and networks at all (the local simulator does not)."""
        if isinstance(provisioner, VmDisksAndNetworks):
            return cls(db, provisioner, settings)
        return None

    def start(self) -> None:
        self.changes.start()
        super().start()

    async def stop(self) -> None:
        await super().stop()
        self.changes.stop()

    async def reconcile_once(self) -> None:
        now = time.monotonic()
        if now >= self._full_at:
            self.changes.take()  # every tenant is read now; a write committed from here on is the next pass's
            async with self.db.read() as s:
                await self.outbox.changed_tenants(s, now)  # taken: read below
            unclean = await self._sync(None)
            self._full_at = now + self.full_resync_seconds
            self._retry_at = {tenant: now + self.retry_seconds for tenant in unclean}
            return
        changed = self.changes.take()
        changed.tenants |= {tenant for tenant, at in self._retry_at.items() if at <= now}
        try:
            async with self.db.read() as s:
                changed.tenants |= await self.outbox.changed_tenants(s, now)  # other processes' writes too
                if not changed:
                    return
                tenants = changed.tenants | await _tenants_of(s, changed.networks)
            unclean = await self._sync(tenants)
        except BaseException:
            self.changes.put_back(changed)
            raise
        for tenant in tenants:
            self._retry_at.pop(tenant, None)
        self._retry_at.update({tenant: now + self.retry_seconds for tenant in unclean})

    async def _sync(self, tenants: Collection[str] | None) -> set[str]:
        """Read the rows (of ``tenants``, or all) and hand them to the provisioner."""
        disks = select(VmDisk).where(VmDisk.status != DiskStatus.DELETED.value)
        networks = select(VmNetwork)
        rules = select(FirewallRule)
        if tenants is not None:
            disks = disks.where(VmDisk.tenant_id.in_(tenants))
            networks = networks.where(VmNetwork.tenant_id.in_(tenants))
            rules = rules.join(VmNetwork, FirewallRule.network_id == VmNetwork.id).where(
                VmNetwork.tenant_id.in_(tenants))
        async with self.db.read() as s:
            disk_rows = (await s.scalars(disks.order_by(VmDisk.id))).all()
            network_rows = (await s.scalars(networks.order_by(VmNetwork.id))).all()
            rule_rows = (await s.scalars(rules.order_by(FirewallRule.created_at, FirewallRule.id))).all()
        by_network: dict[str, list[FirewallRule]] = {}
        for rule in rule_rows:
            by_network.setdefault(rule.network_id, []).append(rule)
        return await self.provisioner.sync_vm_disks_and_networks(
            disk_rows, [(network, by_network.get(network.id, [])) for network in network_rows], tenants)


async def _tenants_of(s: AsyncSession, networks: Collection[str]) -> set[str]:
    """The tenants of networks whose rules changed (a network already deleted went with its tenant noted)."""
    if not networks:
        return set()
    return set((await s.scalars(select(VmNetwork.tenant_id).where(VmNetwork.id.in_(networks)))).all())
