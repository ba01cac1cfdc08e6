"""A cache of the provisioner's objects of one type, kept current by a watch.

The informer pattern of client-go, small: list once (the cache and a resourceVersion), then watch
from that version, and after the server ends a watch (its timeout) resume from the last version
seen, so no change is missed and none is read twice. When the server no longer has that version
(410 Gone: etcd was compacted, or the watch cache moved on) it lists afresh. A failed connection is
retried with a bounded exponential back-off. Each change is first shown to ``inspect`` (awaited,
while the cache still holds the previous copy: the provisioner records a preemption there before
the pod leaves the cache), then applied to the cache, then announced through ``changed`` (the
provisioner wakes the reconcilers).

``PodWatch`` is the pods' watch: it also watches the Nodes, and shows ``inspect`` each pod whose node
is lost (deleted, or not Ready past a grace: pods.node_loss) marked as disrupted by that, as soon as
it knows, rather than when kube-controller-manager deletes the pod (40 to 80 s after a node is
deleted, 300 s after it stops being Ready).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from kubernetes_asyncio import client

from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType
from icgpu.provisioning.kubernetes.naming import MANAGED_SELECTOR, WORKLOAD_LABEL
from icgpu.provisioning.kubernetes.pods import NODE_NOT_READY_GRACE, marked_lost, node_loss
from icgpu.provisioning.kubernetes.resources import NODE, POD, Resources

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.2  # seconds before the first reconnect after an error, doubled per failure ...
BACKOFF_MAX = 5.0  # ... up to this
WATCH_SECONDS = 240  # the server ends each watch after this (then it resumes from the last version)
NODE_CHECK_SECONDS = 5.0  # how often PodWatch looks for pods on lost nodes besides a node's deletion

Key = tuple[str, str]  # (namespace, name)
Inspect = Callable[[str, Manifest], Awaitable[None]]


class Gone(Exception):
    """The watch's resourceVersion is too old for the server (410): list again."""


def key_of(obj: Manifest) -> Key:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def resource_version(obj: Manifest) -> int:
    """etcd's revision, as the API server writes it (an integer in every release so far); used only
    to keep a newer copy from being overwritten by an older one."""
    try:
        return int(obj["metadata"].get("resourceVersion", "0"))
    except ValueError:
        return 0


async def _no_inspection(_type: str, _obj: Manifest) -> None:
    return None


def _no_change() -> None:
    return None


class ObjectWatch:
    """The objects of ``type_`` labelled managed-by=icgpu (or ``label_selector``; None: all), in every
    namespace."""

    def __init__(self, resources: Resources, type_: ObjectType, *, inspect: Inspect = _no_inspection,
                 changed: Callable[[], None] = _no_change, label_selector: str | None = MANAGED_SELECTOR,
                 watch_seconds: int = WATCH_SECONDS) -> None:
        self.resources = resources
        self.type = type_
        self.inspect = inspect
        self.changed = changed
        self.label_selector = label_selector
        self.watch_seconds = watch_seconds
        self.objects: dict[Key, Manifest] = {}
        self.resource_version: str | None = None  # resume point; None: list first
        self.synced = asyncio.Event()
        self.lists = 0  # how many times it listed (the first time, and after each 410)
        self.resumes = 0  # how many watches it opened from a version it had
        self.expired = 0  # how many times the server said its version was gone (410)

    # -- reading the cache -------------------------------------------------------------------

    def get(self, namespace: str, name: str) -> Manifest | None:
        return self.objects.get((namespace, name))

    def by_workload(self, label_value: str) -> list[Manifest]:
        return [o for o in self.objects.values()
                if (o["metadata"].get("labels") or {}).get(WORKLOAD_LABEL) == label_value]

    def put(self, obj: Manifest) -> None:
        """A copy fresh from a write of our own: kept unless the cache already has a newer one (the
        watch brings the same soon; this spares a reader the moment in between)."""
        key = key_of(obj)
        held = self.objects.get(key)
        if held is None or resource_version(held) <= resource_version(obj):
            self.objects[key] = obj

    # -- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Until cancelled: list, watch, resume; relist on 410; back off on errors."""
        backoff = BACKOFF_FIRST
        while True:
            try:
                if self.resource_version is None:
                    await self._list()
                else:
                    self.resumes += 1
                await self._watch()
                backoff = BACKOFF_FIRST
            except Gone:
                self.expired += 1
                log.info("watch of %s: resourceVersion %s is gone; listing again", self.type.plural,
                         self.resource_version)
                self.resource_version = None
            except asyncio.CancelledError:
                raise
            except Exception as err:  # any failure of the connection: reconnect later
                log.warning("watch of %s failed (%s); retrying in %.1f s", self.type.plural, err, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    async def _list(self) -> None:
        listed = await self.resources.list(self.type, label_selector=self.label_selector)
        fresh = {key_of(o): o for o in _with_kind(listed.get("items") or [], self.type)}
        for key in self.objects.keys() - fresh.keys():  # deleted while nobody watched
            await self.inspect("DELETED", self.objects[key])
        for obj in fresh.values():
            await self.inspect("LISTED", obj)
        self.objects = fresh
        self.resource_version = str(listed["metadata"]["resourceVersion"])
        self.lists += 1
        self.synced.set()
        self.changed()

    async def _watch(self) -> None:
        assert self.resource_version is not None
        try:
            response = await self.resources.open_watch(self.type, resource_version=self.resource_version,
                                                       label_selector=self.label_selector,
                                                       timeout_seconds=self.watch_seconds)
        except client.ApiException as err:
            if err.status == 410:
                raise Gone() from err
            raise
        try:
            while line := await response.content.readline():
                await self._handle(json.loads(line))
        finally:
            response.release()

    async def _handle(self, event: dict[str, Any]) -> None:
        kind, obj = event.get("type"), event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == 410:
                raise Gone()
            raise RuntimeError(f"watch error: {obj.get('message')}")
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if kind == "BOOKMARK":
            if version:
                self.resource_version = version
            return
        obj.setdefault("apiVersion", self.type.api_version)
        obj.setdefault("kind", self.type.kind)
        await self.inspect(str(kind), obj)
        if kind == "DELETED":
            self.objects.pop(key_of(obj), None)
        else:
            self.objects[key_of(obj)] = obj
        if version:
            self.resource_version = version
        self.changed()


class PodWatch(ObjectWatch):
    """The pods labelled managed-by=icgpu, and every Node: a pod bound to a node that is lost is shown
    to ``inspect`` (event ``NODE_LOST``) as ``pods.marked_lost`` makes it, so the provisioner records
    the workload failed with "node <name> lost: ..." (the cache keeps the pod as the API server has it).

    A node's deletion is acted on at once; a node not Ready, or one a pod names that the node cache
    lacks (confirmed with a read: the two watches are separate streams), every ``check_seconds``.
    A lost pod is shown again at each check until it is gone: inspect ignores what it already recorded.
    """

    def __init__(self, resources: Resources, *, inspect: Inspect = _no_inspection,
                 changed: Callable[[], None] = _no_change, node_grace: float = NODE_NOT_READY_GRACE,
                 check_seconds: float = NODE_CHECK_SECONDS) -> None:
        super().__init__(resources, POD, inspect=inspect, changed=changed)
        self.node_grace = node_grace
        self.check_seconds = check_seconds
        # Node changes (kubelet heartbeats among them) wake no reconciler: only the pods they lose do.
        self.nodes = ObjectWatch(resources, NODE, inspect=self._node_event, label_selector=None)
        self.deleted_nodes: set[str] = set()  # names of nodes seen deleted (until one comes back)
        self._check_now = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled: the pods' watch, the nodes' watch and the lost-node check."""
        async with asyncio.TaskGroup() as group:
            group.create_task(super().run(), name="kubernetes-watch-pods")
            group.create_task(self.nodes.run(), name="kubernetes-watch-nodes")
            group.create_task(self._checks(), name="kubernetes-lost-nodes")

    async def _node_event(self, event: str, node: Manifest) -> None:
        name = node["metadata"]["name"]
        if event == "DELETED":
            self.deleted_nodes.add(name)
            self._check_now.set()
        else:
            self.deleted_nodes.discard(name)

    async def _checks(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.check_seconds):
                    await self._check_now.wait()
            except TimeoutError:
                pass
            self._check_now.clear()
            try:
                await self.check_nodes()
            except asyncio.CancelledError:
                raise
            except Exception as err:  # a failed read: the next check tries again
                log.warning("checking for pods on lost nodes failed (%s)", err)

    async def check_nodes(self) -> int:
        """Show inspect every pod on a lost node; returns how many there were."""
        if not (self.synced.is_set() and self.nodes.synced.is_set()):
            return 0
        now = datetime.now(UTC)
        lost: dict[str, str | None] = {}  # node name -> why its pods are lost (None: it stands)
        shown = 0
        for pod in list(self.objects.values()):
            node_name = (pod.get("spec") or {}).get("nodeName")
            if not node_name or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            if node_name not in lost:
                lost[node_name] = await self._why_lost(node_name, now)
            why = lost[node_name]
            if why is not None:
                await self.inspect("NODE_LOST", marked_lost(pod, why))
                shown += 1
        self.deleted_nodes &= lost.keys()  # forget deleted nodes no pod names any more
        return shown

    async def _why_lost(self, name: str, now: datetime) -> str | None:
        node = self.nodes.get("", name)
        if node is None and name not in self.deleted_nodes:
            node = await self.resources.get(NODE, None, name)  # not in the cache yet, or gone?
            if node is None:
                self.deleted_nodes.add(name)
        return node_loss(name, node, now, self.node_grace)


def _with_kind(items: list[Manifest], type_: ObjectType) -> list[Manifest]:
    """A list's items carry no apiVersion/kind; give them theirs."""
    for item in items:
        item.setdefault("apiVersion", type_.api_version)
        item.setdefault("kind", type_.kind)
    return items

