"""The cluster reconciler shows why a control plane is not running yet: the provisioner's own reason
(vCluster's "waiting for vCluster's controller", "waiting for Cluster API's controller ...", a False
condition) as the cluster's ``status_reason`` instead of the generic "control plane starting", which
stays for a provisioner that gives none (the local simulator). A new reason while the cluster provisions
replaces the old one without an event (the status did not change); running clears it.

In process, against a migrated database, with a scripted ClusterProvisioner: the local simulator gives
no reasons, and tests/k8s/test_vcluster.py checks vCluster's first one end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from icgpu.db.database import Database
from icgpu.db.tables import Account, Event, Tenant
from icgpu.db.tables_clusters import Cluster
from icgpu.ids import new_id
from icgpu.provisioning.base import Phase
from icgpu.provisioning.clusters import ClusterCredential, ClusterObservation, ClusterSpec
from icgpu.services.signals import Signals
from icgpu.workers.cluster_reconciler import STARTING, ClusterReconciler
from tests.support.server import drop_database, migrated_database_url

URL = "https://10.0.0.1:6443"


class Scripted:
    """A ClusterProvisioner whose every cluster is in the phase (and has the reason) the test sets."""

    issues_credentials = False

    def __init__(self) -> None:
        self.now = ClusterObservation(Phase.STARTING)

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def ensure_cluster(self, spec: ClusterSpec) -> ClusterObservation:
        return self.now

    async def ensure_cluster_gone(self, cluster_id: str) -> ClusterObservation:
        return ClusterObservation(Phase.ABSENT)

    async def observe_clusters(self, cluster_ids: list[str]) -> dict[str, ClusterObservation]:
        return {i: self.now for i in cluster_ids}

    async def clusters(self) -> list[str]:
        return []

    async def credential(self, cluster_id: str) -> ClusterCredential | None:
        return None


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    # Off the event loop: on PostgreSQL these run statements with asyncio.run of their own.
    url, pg_name = await asyncio.to_thread(migrated_database_url, tmp_path)
    database = Database(url)
    try:
        yield database
    finally:
        await database.close()
        if pg_name:
            await asyncio.to_thread(drop_database, pg_name)


async def new_cluster(db: Database) -> str:
    """A pending cluster row, as services/clusters.py creates one (no credential needed here)."""
    tenant_id, account_id, cluster_id = new_id("ten"), new_id("acc"), new_id("cls")
    async with db.transaction() as s:
        s.add(Tenant(id=tenant_id, name=f"t-{tenant_id}"))
        await s.flush()
        s.add(Account(id=account_id, tenant_id=tenant_id, email="owner@example.com", role="owner"))
        await s.flush()
        s.add(Cluster(id=cluster_id, tenant_id=tenant_id, account_id=account_id, name="dev", version="1.30",
                      status="pending", ca_cert_pem="-"))
    return cluster_id


async def state(db: Database, cluster_id: str) -> tuple[str, str | None, list[tuple[str, str | None]]]:
    """The cluster's status and reason, and each of its events with the reason it carries."""
    async with db.read() as s:
        c = await s.get(Cluster, cluster_id)
        assert c is not None
        events = (await s.execute(select(Event.type, Event.data).where(Event.resource_id == cluster_id)
                                  .order_by(Event.seq))).all()
    return c.status, c.status_reason, [(t, data.get("status_reason")) for t, data in events]


async def test_the_provisioners_reason_is_shown_while_starting_and_a_new_one_replaces_it(db: Database) -> None:
    cluster_id = await new_cluster(db)
    provisioner = Scripted()
    signals, changes = Signals(), []
    signals.connect(lambda: changes.append(1))
    reconciler = ClusterReconciler(db, provisioner, signals, interval=1.0)

    provisioner.now = ClusterObservation(Phase.STARTING, server_url=URL, reason="waiting for vCluster's controller")
    await reconciler.reconcile_once()
    first = "waiting for vCluster's controller"
    assert await state(db, cluster_id) == ("provisioning", first, [("cluster.provisioning", first)])
    assert len(changes) == 1

    # Another reason while provisioning: shown in place; no second event, no change signalled.
    provisioner.now = ClusterObservation(Phase.STARTING, server_url=URL, reason="Ready: chart installing")
    await reconciler.reconcile_once()
    assert await state(db, cluster_id) == ("provisioning", "Ready: chart installing",
                                           [("cluster.provisioning", first)])
    # No reason at all: the last one stays (nothing says it no longer holds); the same one writes nothing.
    provisioner.now = ClusterObservation(Phase.STARTING, server_url=URL)
    await reconciler.reconcile_once()
    assert (await state(db, cluster_id))[1] == "Ready: chart installing"
    assert len(changes) == 1

    provisioner.now = ClusterObservation(Phase.RUNNING, server_url=URL)
    await reconciler.reconcile_once()
    assert await state(db, cluster_id) == ("running", None, [("cluster.provisioning", first),
                                                             ("cluster.running", None)])


async def test_without_a_reason_a_starting_control_plane_says_control_plane_starting(db: Database) -> None:
    cluster_id = await new_cluster(db)
    provisioner = Scripted()
    reconciler = ClusterReconciler(db, provisioner, Signals(), interval=1.0)
    await reconciler.reconcile_once()
    assert await state(db, cluster_id) == ("provisioning", STARTING, [("cluster.provisioning", STARTING)])
    assert STARTING == "control plane starting"  # the text clients saw before reasons were shown
