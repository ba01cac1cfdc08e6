"""The VM disk/network sync across processes: ``icgpu serve`` with ICGPU_RUN_WORKERS=false (the API
process) beside ``icgpu worker`` (the workers) on one database and the Kubernetes provisioner. The
worker's dirty set never hears of the API process's commits; the outbox does (OutboxWatermark), so a
network, a firewall rule added and one deleted through the API's REST reach the cluster as the network's
NetworkPolicy within seconds, all before the worker's second full resync could run
(FULL_RESYNC_SECONDS = 30 after its first, which began after the worker started): the watermark
carried them, not the resync.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from icgpu.provisioning.kubernetes.naming import namespace as tenant_namespace
from icgpu.provisioning.kubernetes.network_policy import NETWORK_POLICY, policy_name
from icgpu.workers.vm_disk_network_sync import FULL_RESYNC_SECONDS
from tests.k8s.conftest import KubernetesServers
from tests.k8s.control_plane import wait_for
from tests.k8s.test_dry_run import Api
from tests.k8s.test_vm_storage_network import SSH_RULE, api, created, ingress_ports
from tests.k8s.workloads import blocking
from tests.support.server import ICGPU, ROOT, Server
from tests.support.tenants import Tenant
from tests.support.vms import NETWORKS, new_network

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run
__all__ = ["api"]  # test_vm_storage_network's fixture, used here too

PROMPT = 5.0  # seconds from a REST write to its policy in the cluster (passes every 0.1 s in the worker)
STOP_SECONDS = 15.0


@pytest.fixture
def api_server(k8s_servers: KubernetesServers) -> Server:
    return k8s_servers(ICGPU_RUN_WORKERS="false")


@pytest.fixture
async def tenant(k8s_servers: KubernetesServers, api_server: Server) -> Tenant:
    return await k8s_servers.tenant(api_server, "k5x")


class Worker:
    """``icgpu worker`` on the API server's settings (its database, provisioner and control plane),
    started by the test and stopped by its own process id."""

    def __init__(self, server: Server) -> None:
        self.log_path = server.tmp / "worker.log"
        self.started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([ICGPU, "worker"], env=server.env(), cwd=ROOT, stdout=log,
                                         stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def worker(api_server: Server) -> Iterator[Callable[[], Worker]]:
    """Starts the worker when the test says (after it has written what the first pass must find)."""
    made: list[Worker] = []

    def start() -> Worker:
        made.append(Worker(api_server))
        return made[-1]

    yield start
    for w in made:
        w.stop()


async def test_writes_of_an_api_process_reach_the_cluster_through_a_separate_worker_before_a_full_resync(
        api_server: Server, tenant: Tenant, worker: Callable[[], Worker], api: Api) -> None:
    rest = tenant.api
    ns = tenant_namespace((await blocking(rest.get, "/api/v1/me")).json()["tenant"]["id"])

    async def policy_where(net_id: str, what: str, check: Any, *, started: float) -> float:
        """Seconds from ``started`` until the network's policy satisfies ``check`` (None: it is gone)."""
        async def probe() -> bool | None:
            obj = await api.get(NETWORK_POLICY, ns, policy_name(net_id))
            return True if check(obj) else None

        await wait_for(what, probe, within=FULL_RESYNC_SECONDS * 2)
        return time.monotonic() - started

    # Written while no worker runs: nothing reaches the cluster.
    first = await blocking(new_network, rest, "made-before")
    assert await api.get(NETWORK_POLICY, ns, policy_name(first["id"])) is None

    # The worker's first pass is a full one: it finds the network.
    w = worker()
    try:
        await policy_where(first["id"], "the worker's first (full) pass", lambda p: p is not None, started=w.started)
    except AssertionError:
        raise AssertionError(w.log()[-3000:]) from None

    # Each write of the API process: its policy follows within PROMPT seconds.
    began = time.monotonic()
    net = await blocking(new_network, rest, "made-after")
    made = await policy_where(net["id"], "the new network's policy", lambda p: p is not None, started=began)
    began = time.monotonic()
    rule = created(await blocking(rest.post, f"{NETWORKS}/{net['id']}/firewall-rules", json=SSH_RULE))
    ruled = await policy_where(net["id"], "the policy with the rule",
                               lambda p: p is not None and ingress_ports(p) == [
                                   ("0.0.0.0/0", [{"protocol": "TCP", "port": 22}])], started=began)
    began = time.monotonic()
    assert (await blocking(rest.delete, f"{NETWORKS}/{net['id']}/firewall-rules/{rule['id']}")).status_code == 200
    unruled = await policy_where(net["id"], "the policy without the rule",
                                 lambda p: p is not None and ingress_ports(p) == [], started=began)
    began = time.monotonic()
    assert (await blocking(rest.delete, f"{NETWORKS}/{net['id']}")).status_code == 200
    gone = await policy_where(net["id"], "the deleted network's policy to go", lambda p: p is None, started=began)

    times = {"network": made, "rule added": ruled, "rule deleted": unruled, "network deleted": gone}
    assert max(times.values()) < PROMPT, times
    # All of it before the worker's second full pass could begin: the outbox carried it, not the resync.
    assert time.monotonic() - w.started < FULL_RESYNC_SECONDS, (time.monotonic() - w.started, times)
