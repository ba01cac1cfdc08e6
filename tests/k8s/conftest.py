"""Fixtures of the Kubernetes suite: one control plane from scripts/k8s-up.sh for the package (stopped when its
last test ends, not at the end of the whole run), by its pids (scripts/k8s-down.sh); a kubernetes-asyncio client;
a namespace per test.

The suite does not depend on the database: every module is marked ``db_independent``, so `make test`
runs it once, in the SQLite run (`make test-k8s` runs it alone).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from kubernetes_asyncio import client, config

from icgpu.provisioning.kubernetes.client import KubeClient
from icgpu.provisioning.kubernetes.provisioner import KubernetesProvisioner
from icgpu.settings import Settings
from tests.k8s.control_plane import ControlPlane, wait_for


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


@pytest.fixture
async def provisioner(control_plane: ControlPlane) -> AsyncIterator[KubernetesProvisioner]:
    """A Kubernetes provisioner of the test's own, in-process, on the package's control plane."""
    settings = Settings(kubeconfig=control_plane.kubeconfig)
    prov = KubernetesProvisioner(settings, KubeClient(settings))
    await prov.start()
    try:
        yield prov
    finally:
        await prov.stop()
