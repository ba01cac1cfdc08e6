"""Fixtures of the Kubernetes suite: one control plane from scripts/k8s-up.sh for the package (stopped when its
last test ends, not at the end of the whole run), by its pids (scripts/k8s-down.sh); a kubernetes-asyncio client;
a namespace per test; real ``icgpu serve`` processes on the control plane and tenants of theirs whose
namespaces go when the test ends (``k8s_servers``).

The suite does not depend on the database: every module is marked ``db_independent``, so `make test`
runs it once, in the SQLite run (`make test-k8s` runs it alone).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kubernetes_asyncio import client, config

from icgpu.provisioning.kubernetes.client import KubeClient
from icgpu.provisioning.kubernetes.naming import namespace as tenant_namespace
from icgpu.provisioning.kubernetes.provisioner import KubernetesProvisioner
from icgpu.provisioning.kubernetes.resources import NAMESPACE, Resources
from icgpu.settings import Settings
from tests.k8s.control_plane import ControlPlane, wait_for
from tests.k8s.workloads import blocking
from tests.support.server import Server
from tests.support.tenants import Tenant, bootstrap_tenant


@pytest.fixture(scope="package")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    plane = ControlPlane(tmp_path_factory.mktemp("k8s") / "state").start()
    try:
        yield plane
    finally:
        plane.stop()


@pytest.fixture(scope="package")
async def kube(control_plane: ControlPlane) -> AsyncIterator[client.ApiClient]:
    configuration = client.Configuration()
    await config.load_kube_config(config_file=str(control_plane.kubeconfig), client_configuration=configuration)
    async with client.ApiClient(configuration) as api:
        yield api


@pytest.fixture
def core(kube: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(kube)


@pytest.fixture
async def namespace(core: client.CoreV1Api) -> AsyncIterator[str]:
    """A fresh namespace; at the end it is deleted and its pods are waited out, so the GPUs they held are free."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    try:
        yield name
    finally:
        await core.delete_collection_namespaced_pod(name, grace_period_seconds=0)

        async def pods_gone() -> bool | None:
            return True if not (await core.list_namespaced_pod(name)).items else None

        await wait_for(f"the pods of namespace {name} to be deleted", pods_gone, within=60)
        await core.delete_namespace(name)


def new_provisioner(control_plane: ControlPlane) -> KubernetesProvisioner:
    """A Kubernetes provisioner in this process on the package's control plane, not started (a test
    that plays a restart makes a second one)."""
    settings = Settings(provisioner="kubernetes", kubeconfig=control_plane.kubeconfig)
    return KubernetesProvisioner(settings, KubeClient(settings))


@pytest.fixture
async def provisioner(control_plane: ControlPlane) -> AsyncIterator[KubernetesProvisioner]:
    """A Kubernetes provisioner of the test's own, in-process, on the package's control plane."""
    prov = new_provisioner(control_plane)
    await prov.start()
    try:
        yield prov
    finally:
        await prov.stop()


@pytest.fixture
def res(kube: client.ApiClient) -> Resources:
    """The provisioner's own object calls, to read what it made."""
    return Resources(kube)


@dataclass
class KubernetesServers:
    """Starts ``icgpu serve`` processes with ICGPU_PROVISIONER=kubernetes on the package's control plane
    (``servers(**extra_env)``; tests/conftest.py's ``make_server`` stops them) and bootstraps tenants of
    theirs. Each tenant's namespace is deleted when the test ends, after the test's own fixtures have
    released what they made in it, so the control plane the later modules share keeps no tenant's quota."""

    make_server: Callable[..., Server]
    kubeconfig: Path
    namespaces: list[str] = field(default_factory=list)
    tenants: list[Tenant] = field(default_factory=list)

    def __call__(self, **extra_env: str) -> Server:
        return self.make_server(ICGPU_PROVISIONER="kubernetes", ICGPU_KUBECONFIG=str(self.kubeconfig), **extra_env)

    async def tenant(self, server: Server, prefix: str) -> Tenant:
        """A new tenant ``<prefix>-<random>`` of ``server``, its namespace noted for deletion."""
        made = await blocking(bootstrap_tenant, server, f"{prefix}-{uuid.uuid4().hex[:8]}", "owner@k8s.example.com")
        self.tenants.append(made)
        me = await blocking(made.api.get, "/api/v1/me")
        assert me.status_code == 200, me.text
        self.namespaces.append(tenant_namespace(me.json()["tenant"]["id"]))
        return made


@pytest.fixture
async def k8s_servers(make_server: Callable[..., Server], control_plane: ControlPlane,
                      res: Resources) -> AsyncIterator[KubernetesServers]:
    assert control_plane.kubeconfig is not None
    servers = KubernetesServers(make_server, control_plane.kubeconfig)
    yield servers
    for made in servers.tenants:
        made.close()
    for ns in servers.namespaces:  # deleting one never made is a no-op
        await res.delete(NAMESPACE, None, ns)
