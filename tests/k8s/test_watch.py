"""The watch behind the provisioner's cache: it resumes from the last resourceVersion it saw (a change
made while it was not watching arrives as an event, without listing again), and a version the server
no longer has (410 Gone, as a status or as an ERROR event) makes it list afresh."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from kubernetes_asyncio import client

from icgpu.provisioning.kubernetes.naming import MANAGED_BY, MANAGED_SELECTOR, MANAGER
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP, Resources
from icgpu.provisioning.kubernetes.watch import ObjectWatch
from icgpu.tasks import stop_task
from tests.k8s.control_plane import wait_for

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run


def config_map(name: str) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels={MANAGED_BY: MANAGER}),
                              data={"k": "v"})


@pytest.fixture
async def watch(kube: client.ApiClient, namespace: str) -> AsyncIterator[ObjectWatch]:
    changes: list[int] = []
    made = ObjectWatch(Resources(kube), CONFIG_MAP, label_selector=MANAGED_SELECTOR,
                       changed=lambda: changes.append(1))
    yield made


async def cached(watch: ObjectWatch, namespace: str, name: str, *, present: bool = True) -> None:
    async def probe() -> bool | None:
        return True if (watch.get(namespace, name) is not None) == present else None

    await wait_for(f"{namespace}/{name} {'in' if present else 'out of'} the cache", probe, within=30)


async def test_the_watch_resumes_from_its_last_version(watch: ObjectWatch, core: client.CoreV1Api,
                                                       namespace: str) -> None:
    await core.create_namespaced_config_map(namespace, config_map("before"))
    task = asyncio.create_task(watch.run())
    try:
        await cached(watch, namespace, "before")
        await core.create_namespaced_config_map(namespace, config_map("while-watching"))
        await cached(watch, namespace, "while-watching")
    finally:
        await stop_task(task)
    assert watch.lists == 1
    version = watch.resource_version
    # Changes while nobody watches ...
    await core.create_namespaced_config_map(namespace, config_map("while-away"))
    await core.delete_namespaced_config_map("before", namespace)
    task = asyncio.create_task(watch.run())
    try:
        # ... arrive as events from the version it had: no new list.
        await cached(watch, namespace, "while-away")
        await cached(watch, namespace, "before", present=False)
    finally:
        await stop_task(task)
    assert watch.lists == 1 and watch.resumes >= 1
    assert int(watch.resource_version or 0) > int(version or 0)


class Stream:
    """A watch response: the given lines, then silence (a watch with nothing new)."""

    def __init__(self, lines: list[bytes]) -> None:
        self.lines = lines
        self.content = self

    async def readline(self) -> bytes:
        if self.lines:
            return self.lines.pop(0)
        await asyncio.Event().wait()
        return b""

    def release(self) -> None:
        return None


class GoneOnce(Resources):
    """The API server's two ways of saying 410 Gone: the watch request answered 410, or an ERROR event
    with code 410 in a watch that opened. Lists return one object at version 20."""

    def __init__(self, how: str) -> None:
        self.how = how
        self.opened: list[str] = []

    async def list(self, type_: Any, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> dict[str, Any]:
        return {"metadata": {"resourceVersion": "20"},
                "items": [{"metadata": {"name": "listed", "namespace": "ns", "resourceVersion": "20"}}]}

    async def open_watch(self, type_: Any, *, resource_version: str, label_selector: str | None,
                         timeout_seconds: int) -> Any:
        self.opened.append(resource_version)
        if resource_version == "1":
            if self.how == "status":
                raise client.ApiException(status=410, reason="Gone")
            error = {"type": "ERROR", "object": {"kind": "Status", "code": 410, "reason": "Expired",
                                                 "message": "too old resource version: 1 (20)"}}
            return Stream([json.dumps(error).encode() + b"\n"])
        added = {"type": "ADDED", "object": {"metadata": {"name": "after", "namespace": "ns",
                                                          "resourceVersion": "21"}}}
        return Stream([json.dumps(added).encode() + b"\n"])


@pytest.mark.parametrize("how", ["status", "event"])
async def test_a_version_the_server_no_longer_has_makes_it_list_again(how: str) -> None:
    # tests/k8s/test_watch_relist.py gets a real 410 from a second API server on the same etcd, in
    # one of its forms; here both forms the server can answer with are played.
    gone = GoneOnce(how)
    watch = ObjectWatch(gone, CONFIG_MAP)
    watch.resource_version = "1"
    watch.objects[("ns", "stale")] = {"metadata": {"name": "stale", "namespace": "ns"}}
    task = asyncio.create_task(watch.run())
    try:
        await cached(watch, "ns", "after")
    finally:
        await stop_task(task)
    assert gone.opened == ["1", "20"], "after the 410 it listed, and watched on from the list's version"
    assert watch.lists == 1 and watch.get("ns", "listed") is not None
    assert watch.get("ns", "stale") is None, "the list replaced the cache"
    assert watch.resource_version == "21"
