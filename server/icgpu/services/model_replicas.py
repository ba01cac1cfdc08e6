"""The replicas of model deployments as this server process knows them: what the router reads
(ready base URLs, round robin) and what the scaler (workers/model_scaler.py) writes, plus the load
the scaler scales by (in-flight calls, the time of the last call).

Replicas are processes of this server (the development engine) holding GPU slots of the shared
inventory, so they live in memory; the database rows show their counts. A restart starts from
none, and the scaler releases whatever the previous process left in the inventory. With a
provisioner that serves models itself (Kubernetes: a KubeAI ``Model`` per replica), a replica has no
process: its ``base_url`` is the cluster's endpoint (KubeAI's, shared by every replica) and its
``upstream_model`` the name to send there (the replica's Model), so a call is routed to a
``Target`` (URL and model), not a URL alone. The deployment's ``endpoints`` column keeps each ready
replica's target as an object ``{"url": ..., "model": ...}`` (``model`` null for a development-engine
replica; ``endpoint`` / ``target_of``), for a server process without the scaler. It is never in the
public API (neither REST nor GraphQL returns it). Migration 0012 turned the older ``<URL>#<model>``
strings into these objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from icgpu.db.tables_models import Endpoint
from icgpu.tasks import wait_event

WAITING_GPU = "waiting_gpu"  # a GPU slot is asked for
STARTING = "starting"  # the slot is held, the engine process is starting
READY = "ready"  # answers /health; calls go to it
DRAINING = "draining"  # taken away by a scale-down: no new call, stopped once the calls in flight end


@dataclass(frozen=True)
class Target:
    """Where one call goes: a replica's base URL (``.../v1``) and the ``model`` to send there (None: the
    route's own upstream model, as for a development-engine replica)."""

    url: str
    model: str | None = None


def endpoint(target: Target) -> Endpoint:
    return {"url": target.url, "model": target.model}


def target_of(stored: Endpoint) -> Target:
    return Target(stored["url"], stored.get("model"))


@dataclass
class Replica:
    deployment_id: str
    index: int
    gpu_tier: str | None  # None: a CPU replica (no slot)
    phase: str = WAITING_GPU
    handle: Any = None  # the launcher's Replica (pid, base_url, healthy(), stop())
    base_url: str | None = None
    upstream_model: str | None = None  # the model name its server answers to (a KubeAI Model's), if not the route's
    task: asyncio.Task[Any] | None = None
    unhealthy: bool = False
    checked_at: float = 0.0
    drain_until: float = 0.0
    note: str | None = None
    serial: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    @property
    def workload_id(self) -> str:
        """The inventory workload: the deployment's id (``mdl-``), the replica's index and a serial
        of its own (a replacement never meets its predecessor's slot while that one is released)."""
        return f"{self.deployment_id}.r{self.index}-{self.serial}"

    @property
    def target(self) -> Target | None:
        return Target(self.base_url, self.upstream_model) if self.base_url else None

    @property
    def pid(self) -> int | None:
        return getattr(self.handle, "pid", None)


@dataclass
class Load:
    inflight: int = 0
    peak: int = 0  # the most in flight since the scaler last looked
    last_call: float | None = None  # time.monotonic() of the last call


@dataclass
class ReplicaPool:
    replicas: dict[str, list[Replica]] = field(default_factory=dict)
    load: dict[str, Load] = field(default_factory=dict)
    _next: dict[str, int] = field(default_factory=dict)
    on_demand: Callable[[], None] | None = None  # the scaler's wake-up
    local: bool = False  # a scaler runs in this process (else the replicas are another process's)
    _changed: asyncio.Event | None = None

    # -- the router's side -----------------------------------------------------------------------

    def ready_targets(self, deployment_id: str) -> list[Target]:
        return [r.target for r in self.replicas.get(deployment_id, ())
                if r.phase == READY and not r.unhealthy and r.target is not None]

    def ready_urls(self, deployment_id: str) -> list[str]:
        return [t.url for t in self.ready_targets(deployment_id)]

    def next_target(self, deployment_id: str) -> Target | None:
        """A ready replica's target, round robin."""
        targets = self.ready_targets(deployment_id)
        if not targets:
            return None
        i = self._next.get(deployment_id, 0)
        self._next[deployment_id] = i + 1
        return targets[i % len(targets)]

    def next_url(self, deployment_id: str) -> str | None:
        """A ready replica's base URL, round robin."""
        target = self.next_target(deployment_id)
        return target.url if target is not None else None

    def note_call(self, deployment_id: str) -> None:
        self.load.setdefault(deployment_id, Load()).last_call = time.monotonic()

    def note_call_at(self, deployment_id: str, at: float) -> None:
        """A call at ``at`` (monotonic) seen elsewhere: the latest of the two counts."""
        load = self.load.setdefault(deployment_id, Load())
        if load.last_call is None or at > load.last_call:
            load.last_call = at

    @contextlib.contextmanager
    def inflight(self, deployment_id: str) -> Iterator[None]:
        load = self.load.setdefault(deployment_id, Load())
        load.inflight += 1
        load.peak = max(load.peak, load.inflight)
        load.last_call = time.monotonic()
        try:
            yield
        finally:
            load.inflight -= 1
            load.last_call = time.monotonic()

    def notify_scaler(self) -> None:
        if self.on_demand is not None:
            self.on_demand()

    def mark_unhealthy(self, deployment_id: str, base_url: str) -> None:
        """The gateway could not connect to `base_url`. A replica the cluster serves (``upstream_model``
        set: the URL is the cluster's shared endpoint) is judged by the provisioner's observation instead."""
        for r in self.replicas.get(deployment_id, ()):
            if r.base_url == base_url and r.upstream_model is None:
                r.unhealthy = True

    async def wait_change(self, within: float) -> None:
        """Until the replicas change, or ``within`` seconds have passed."""
        await wait_event(self._event(), within)

    # -- the scaler's side -----------------------------------------------------------------------

    def take_peak(self, deployment_id: str) -> int:
        load = self.load.setdefault(deployment_id, Load())
        peak, load.peak = max(load.peak, load.inflight), load.inflight
        return peak

    def last_call(self, deployment_id: str) -> float | None:
        load = self.load.get(deployment_id)
        return load.last_call if load else None

    def forget(self, deployment_id: str) -> None:
        self.replicas.pop(deployment_id, None)
        self.load.pop(deployment_id, None)
        self._next.pop(deployment_id, None)

    def notify(self) -> None:
        """Replicas changed: wake every caller waiting for one."""
        event = self._event()
        event.set()
        self._changed = asyncio.Event()

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed
