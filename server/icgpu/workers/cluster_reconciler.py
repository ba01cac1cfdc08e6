"""The cluster reconciler: drives each virtual cluster's control plane towards its status.

Level-triggered and idempotent like the instance reconciler: every pass reads the clusters that
want a control plane (pending, provisioning, running) or want it gone (deleting), asks the
cluster provisioner and records what it observes with compare-and-set status changes. Control
planes of no active cluster (failed, or gone from the table) are torn down.

A starting control plane's ``status_reason`` is the provisioner's own reason when it gives one (e.g.
vCluster's "waiting for vCluster's controller"), else "control plane starting"; while the cluster
provisions, a new reason from the provisioner replaces the old one in place (no event: the status did
not change), as the instance reconciler does with a pending instance's scheduler reason.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from icgpu.db.database import Database
from icgpu.db.tables_clusters import Cluster
from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import CLUSTER_PREFIX, ClusterObservation, ClusterProvisioner, ClusterSpec
from icgpu.services.cluster_states import ClusterStatus
from icgpu.services.clusters import move
from icgpu.services.signals import Signals
from icgpu.workers.background import LevelTriggered

log = logging.getLogger(__name__)
S = ClusterStatus
ACTIVE = (S.PENDING, S.PROVISIONING, S.RUNNING, S.DELETING)
STARTING = "control plane starting"  # when the provisioner gives no reason of its own


def starting_reason(obs: ClusterObservation) -> str:
    """Why a control plane is not running yet: the provisioner's reason, or the generic text."""
    return obs.reason or STARTING


class ClusterReconciler(LevelTriggered):
    task_name = "cluster-reconciler"

    def __init__(self, db: Database, provisioner: ClusterProvisioner, signals: Signals, interval: float) -> None:
        self.db = db
        self.provisioner = provisioner
        self.signals = signals
        self.interval = interval

    async def reconcile_once(self) -> None:
        async with self.db.read() as s:
            rows = (await s.scalars(select(Cluster).where(Cluster.status.in_([st.value for st in ACTIVE]))
                                    .order_by(Cluster.created_at))).all()
        changed = False
        known = {r.id for r in rows}  # deleting ones are torn down in the loop below
        running = [r for r in rows if r.status == S.RUNNING]
        seen = await self.provisioner.observe_clusters([r.id for r in running]) if running else {}
        for c in rows:
            if c.status == S.RUNNING:
                if seen[c.id].phase is not Phase.RUNNING:
                    changed |= await self._apply(c, seen[c.id])
            elif c.status == S.DELETING:
                obs = await self.provisioner.ensure_cluster_gone(c.id)
                if obs.phase is Phase.ABSENT:
                    changed |= await self._record(c, S.TERMINATED, "control plane removed")
            else:
                spec = ClusterSpec(c.id, c.version, c.ca_cert_pem, c.ca_key_pem, c.token_hash)
                changed |= await self._apply(c, await self.provisioner.ensure_cluster(spec))
        for cluster_id in await self.provisioner.clusters():
            if cluster_id.startswith(CLUSTER_PREFIX) and cluster_id not in known:
                await self.provisioner.ensure_cluster_gone(cluster_id)
        if changed:
            self.signals.changed()

    async def _apply(self, c: Cluster, obs: ClusterObservation) -> bool:
        status = S(c.status)
        if obs.phase is Phase.FAILED:
            return await self._record(c, S.ERROR, obs.reason or "control plane failed")
        if obs.phase is Phase.STARTING and status is S.PENDING:
            return await self._record(c, S.PROVISIONING, starting_reason(obs), server_url=obs.server_url)
        if obs.phase is Phase.STARTING and status is S.PROVISIONING and obs.reason and c.status_reason != obs.reason:
            return await self._note(c, obs.reason)
        if obs.phase is Phase.RUNNING and status in (S.PENDING, S.PROVISIONING):
            if status is S.PENDING:
                await self._record(c, S.PROVISIONING, STARTING, server_url=obs.server_url)
            return await self._record(c, S.RUNNING, None, server_url=obs.server_url)
        if obs.phase is Phase.ABSENT and status is S.RUNNING:
            return await self._record(c, S.PROVISIONING, "control plane lost; provisioning again")
        return False

    async def _record(self, c: Cluster, target: ClusterStatus, reason: str | None, *,
                      server_url: str | None = None) -> bool:
        """Compare-and-set: apply only if nobody changed the status since it was read."""
        async with self.db.transaction() as s:
            fresh = await s.get(Cluster, c.id, with_for_update=True)
            if fresh is None or fresh.status != c.status:
                return False
            if server_url is not None:
                fresh.server_url = server_url
            move(s, fresh, target, reason=reason)
        c.status, c.status_reason = fresh.status, fresh.status_reason
        return True

    async def _note(self, c: Cluster, reason: str) -> bool:
        """Replace a provisioning cluster's reason (compare-and-set on the status; no event, no signal:
        the status is unchanged)."""
        async with self.db.transaction() as s:
            fresh = await s.get(Cluster, c.id, with_for_update=True)
            if fresh is None or fresh.status != c.status:
                return False
            fresh.status_reason = reason
        c.status_reason = reason
        return False
