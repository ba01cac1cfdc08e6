"""A real 410 Gone: the provisioner's watch resumes from a version the API server no longer serves, lists
again and delivers the current state.

A kube-apiserver serves watches from its watch cache, which starts with a list of etcd at the
apiserver's start: a watch from an older version is answered ``410 Expired: too old resource version``.
That is what a watch meets when it reconnects to a restarted apiserver, or to another one of an HA
control plane. The test starts a second kube-apiserver (the package's command line, another port, the
same etcd) after the watch stopped and the objects changed, and resumes the watch there.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from kubernetes_asyncio import client, config

from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.naming import MANAGED_SELECTOR
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP, Resources
from icgpu.provisioning.kubernetes.watch import ObjectWatch
from icgpu.tasks import stop_task
from tests.k8s.control_plane import ControlPlane, wait_for
from tests.k8s.test_watch import cached, config_map

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

WITHIN = 60.0  # seconds for the second apiserver to be ready, or the watch to catch up
STOP_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def apiserver_command(control_plane: ControlPlane, port: int) -> list[str]:
    """The package's kube-apiserver command line (k8s-up.sh's flags, its certificates, its etcd) on ``port``."""
    pid = control_plane.pids()["kube-apiserver"]
    argv = [a.decode() for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    at = argv.index("--secure-port") + 1
    return [*argv[:at], str(port), *argv[at + 1:]]


@pytest.fixture
def second_apiserver(control_plane: ControlPlane, tmp_path: Path) -> Iterator[Callable[[], int]]:
    """Another kube-apiserver on the same etcd, started when the test calls it; stopped by its pid."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> int:
        port = free_port()
        with open(tmp_path / "kube-apiserver-2.log", "wb") as out:
            started.append(subprocess.Popen(apiserver_command(control_plane, port), stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        return port

    yield start
    for proc in started:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(STOP_SECONDS)


@contextlib.asynccontextmanager
async def api_on(control_plane: ControlPlane, port: int) -> AsyncIterator[client.ApiClient]:
    """An admin client of the apiserver on ``port`` (the package's kubeconfig, another port), once ready."""
    configuration = client.Configuration()
    await config.load_kube_config(config_file=str(control_plane.kubeconfig), client_configuration=configuration)
    configuration.host = f"https://127.0.0.1:{port}"
    async with client.ApiClient(configuration) as api:
        async def ready() -> bool | None:
            try:
                answer = await api.call_api("/readyz", "GET", auth_settings=["BearerToken"], _preload_content=False,
                                            _request_timeout=5)
            except (TimeoutError, OSError, client.ApiException):
                return None
            ok = answer.status == 200
            answer.release()
            return True if ok else None

        await wait_for(f"a second kube-apiserver ready on port {port}", ready, within=WITHIN)
        yield api


async def test_a_watch_too_old_for_the_apiserver_lists_again_and_delivers_the_current_state(
        control_plane: ControlPlane, kube: client.ApiClient, core: client.CoreV1Api, namespace: str,
        second_apiserver: Callable[[], int]) -> None:
    shown: list[tuple[str, str]] = []

    async def inspect(event: str, obj: Manifest) -> None:
        shown.append((event, obj["metadata"]["name"]))

    watch = ObjectWatch(Resources(kube), CONFIG_MAP, inspect=inspect, label_selector=MANAGED_SELECTOR)
    await core.create_namespaced_config_map(namespace, config_map("before"))
    task = asyncio.create_task(watch.run())
    try:
        await cached(watch, namespace, "before")
    finally:
        await stop_task(task)
    version = watch.resource_version
    assert watch.lists == 1 and version is not None
    # While nobody watches: one object made, one deleted.
    await core.create_namespaced_config_map(namespace, config_map("while-away"))
    await core.delete_namespaced_config_map("before", namespace)

    # The watch reconnects to an apiserver whose watch cache began after its version.
    port = second_apiserver()
    async with api_on(control_plane, port) as other:
        raw = await Resources(other).open_watch(CONFIG_MAP, resource_version=version, label_selector=MANAGED_SELECTOR,
                                                timeout_seconds=5)
        try:
            first = await raw.content.readline()
        finally:
            raw.release()
        assert b'"code":410' in first and b"too old resource version" in first, first  # what the watch meets

        watch.resources = Resources(other)
        task = asyncio.create_task(watch.run())
        try:
            await cached(watch, namespace, "while-away")
            await cached(watch, namespace, "before", present=False)
            assert (watch.expired, watch.lists) == (1, 2), "the 410 made it list once more"
            assert ("DELETED", "before") in shown, "the object deleted while away was seen go"
            # ... and it watches on from the new list's version: a change made now arrives.
            listed_at = int(watch.resource_version or 0)
            await core.create_namespaced_config_map(namespace, config_map("after"))
            await cached(watch, namespace, "after")
            assert watch.lists == 2 and int(watch.resource_version or 0) > listed_at
        finally:
            await stop_task(task)
    mine = {name for (ns, name) in watch.objects if ns == namespace}
    assert mine == {"while-away", "after"}, mine
