"""The local provisioner's virtual Kubernetes clusters: simulated control planes.

Nothing serves their API: the simulator records each cluster's server URL,
``https://<cluster-id>.clusters.<ICGPU_LOCAL_SSH_HOST>:6443``, and moves it from starting to
running after ``local_provision_seconds`` and from terminating to gone after
``local_stop_seconds``, like the GPU workloads of ``simulator.py``. Its rows (``sim_clusters``)
live beside the control plane's tables so they outlive a restart. No GPU slot is taken.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_clusters import SimCluster
from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import ClusterCredential, ClusterObservation, ClusterSpec
from icgpu.settings import Settings

API_PORT = 6443


def server_url(cluster_id: str, host: str) -> str:
    return f"https://{cluster_id}.clusters.{host}:{API_PORT}"


class LocalClusterProvisioner:
    issues_credentials = False  # kubeconfigs carry the control plane's own CA and token

    def __init__(self, settings: Settings, db: Database) -> None:
        self.db = db
        self.host = settings.local_ssh_host
        self.provision_delay = timedelta(seconds=settings.local_provision_seconds)
        self.stop_delay = timedelta(seconds=settings.local_stop_seconds)

    async def start(self) -> None:
        """Nothing to connect: the simulated control planes live in the database."""

    async def credential(self, cluster_id: str) -> ClusterCredential | None:
        return None

    async def stop(self) -> None:
        """Nothing to disconnect."""

    @staticmethod
    def _observe(row: SimCluster | None) -> ClusterObservation:
        if row is None:
            return ClusterObservation(Phase.ABSENT)
        phase = Phase(row.phase)
        now = utcnow()
        if phase is Phase.STARTING and row.ready_at is not None and row.ready_at <= now:
            phase = Phase.RUNNING
        if phase is Phase.TERMINATING and row.gone_at is not None and row.gone_at <= now:
            return ClusterObservation(Phase.ABSENT)
        return ClusterObservation(phase, server_url=row.server_url)

    async def observe_clusters(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]:
        async with self.db.read() as s:
            rows = (await s.scalars(select(SimCluster).where(SimCluster.cluster_id.in_(cluster_ids)))).all()
        found = {r.cluster_id: r for r in rows}
        return {i: self._observe(found.get(i)) for i in cluster_ids}

    async def clusters(self) -> list[str]:
        async with self.db.read() as s:
            return list((await s.scalars(select(SimCluster.cluster_id))).all())

    async def ensure_cluster(self, spec: ClusterSpec) -> ClusterObservation:
        async with self.db.transaction() as s:
            row = await s.get(SimCluster, spec.cluster_id, with_for_update=True)
            if row is None:
                row = SimCluster(cluster_id=spec.cluster_id, version=spec.version,
                                 server_url=server_url(spec.cluster_id, self.host), phase=Phase.STARTING.value,
                                 ready_at=utcnow() + self.provision_delay, created_at=utcnow())
                s.add(row)
            return self._observe(row)

    async def ensure_cluster_gone(self, cluster_id: str) -> ClusterObservation:
        async with self.db.transaction() as s:
            row = await s.get(SimCluster, cluster_id, with_for_update=True)
            if row is None:
                return ClusterObservation(Phase.ABSENT)
            obs = self._observe(row)
            if obs.phase is Phase.ABSENT:
                await s.delete(row)
                return obs
            if row.phase != Phase.TERMINATING.value:
                row.phase = Phase.TERMINATING.value
                row.gone_at = utcnow() + self.stop_delay
            return self._observe(row)
