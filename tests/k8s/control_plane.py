"""The test control plane of scripts/k8s-up.sh, started once per test session, and helpers to drive it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from kubernetes_asyncio import client

ROOT = Path(__file__).resolve().parents[2]
# A cold k8s-up.sh builds the binaries first (several minutes on two cores); a warm one takes seconds.
UP_TIMEOUT_SECONDS = 60 * 60
DOWN_TIMEOUT_SECONDS = 60
IMAGE = "registry.invalid/icgpu/workload:test"  # kwok runs no container: the image is never pulled

T = TypeVar("T")


class ControlPlane:
    """One control plane from scripts/k8s-up.sh, with its own state directory; stop() runs k8s-down.sh."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.env = os.environ | {"ICGPU_K8S_STATE": str(state)}
        self.kubeconfig: Path | None = None

    def start(self) -> ControlPlane:
        started = time.monotonic()
        done = subprocess.run([str(ROOT / "scripts/k8s-up.sh")], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=UP_TIMEOUT_SECONDS, check=False)
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"k8s-up.sh failed ({done.returncode}):\n{done.stderr[-4000:]}")
        lines = done.stdout.strip().splitlines()
        assert lines, f"k8s-up.sh printed nothing on stdout:\n{done.stderr[-4000:]}"
        self.kubeconfig = Path(lines[-1])
        assert self.kubeconfig.is_file(), f"k8s-up.sh's last line is not a file: {lines[-1]!r}"
        self.up_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        """k8s-down.sh, then check that it did its job: every recorded process gone, the state removed."""
        pids = self.pids() if (self.state / "run").is_dir() else {}
        done = subprocess.run([str(ROOT / "scripts/k8s-down.sh")], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=DOWN_TIMEOUT_SECONDS, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"k8s-down.sh failed ({done.returncode}):\n{done.stderr[-4000:]}")
        alive = {name: pid for name, pid in pids.items() if _runs_from(pid, self.state)}
        if alive or self.state.exists():
            raise RuntimeError(f"k8s-down.sh left {alive or 'no process'} and {self.state} "
                               f"{'in place' if self.state.exists() else 'removed'}")

    def pids(self) -> dict[str, int]:
        return {p.stem: int(p.read_text()) for p in (self.state / "run").glob("*.pid")}


def _runs_from(pid: int, state: Path) -> bool:
    """Is pid alive and a process of the control plane in `state` (its command line names the directory)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(state).encode() in cmdline


async def wait_for(what: str, probe: Callable[[], Awaitable[T | None]], within: float = 60.0,
                   interval: float = 0.1) -> T:
    """Poll probe() until it returns something other than None; fail after `within` seconds."""
    deadline = time.monotonic() + within
    last: T | None = None
    for _ in range(int(within / interval) + 1):
        last = await probe()
        if last is not None:
            return last
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")


def gpu_pod(name: str, resource: str, count: int, *, priority_class: str | None = None,
            node_selector: dict[str, str] | None = None) -> client.V1Pod:
    """A pod that asks for `count` of the extended resource `resource` (requests equal limits, as they must)."""
    amount = {resource: str(count)}
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1PodSpec(
            containers=[client.V1Container(
                name="main", image=IMAGE,
                resources=client.V1ResourceRequirements(requests=amount, limits=dict(amount)))],
            restart_policy="Never",
            termination_grace_period_seconds=0,
            priority_class_name=priority_class,
            node_selector=node_selector,
        ),
    )


async def read_pod(core: client.CoreV1Api, namespace: str, name: str) -> client.V1Pod | None:
    try:
        return await core.read_namespaced_pod(name, namespace)
    except client.ApiException as err:
        if err.status == 404:
            return None
        raise


def condition(pod: client.V1Pod, type_: str) -> client.V1PodCondition | None:
    return next((c for c in pod.status.conditions or [] if c.type == type_), None)


@asynccontextmanager
async def kwok_stopped(control_plane: ControlPlane, core: client.CoreV1Api) -> AsyncIterator[None]:
    """kwok (the kubelet of the fake nodes) paused: pods are bound but nothing plays them. Briefly: the
    nodes' leases lapse after 40 s. On leaving, the fake nodes are waited for until kwok has renewed
    their leases since it resumed (so the node controller will not mark them Unknown again) and reports
    them Ready, with the addresses they had: the control plane is shared by the package's later modules.
    When a node's Ready condition lapsed while it was paused, kwok's node-initialize stage writes the
    node's status afresh without its addresses (they come back with its next heartbeat, a minute or
    more later); the test puts them back, playing the kubelet as it does for pods."""
    selector = "nvidia.com/gpu.present=true"
    addresses = {n.metadata.name: [{"type": a.type, "address": a.address} for a in n.status.addresses or ()]
                 for n in (await core.list_node(label_selector=selector)).items}
    leases = client.CoordinationV1Api(core.api_client)  # type: ignore[attr-defined]
    pid = control_plane.pids()["kwok"]
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        resumed = datetime.now(UTC)
        os.kill(pid, signal.SIGCONT)

        async def renewed(name: str) -> bool:
            try:
                lease = await leases.read_namespaced_lease(name, "kube-node-lease")
            except client.ApiException as err:
                if err.status == 404:
                    return False
                raise
            return lease.spec.renew_time is not None and lease.spec.renew_time > resumed

        async def nodes_back() -> bool | None:
            nodes = (await core.list_node(label_selector=selector)).items
            if not nodes or not all(any(c.type == "Ready" and c.status == "True" for c in n.status.conditions or ())
                                    for n in nodes):
                return None
            for n in nodes:
                if not await renewed(n.metadata.name):
                    return None
            bare = [n.metadata.name for n in nodes if not n.status.addresses and addresses.get(n.metadata.name)]
            for name in bare:
                await core.patch_node_status(name, {"status": {"addresses": addresses[name]}})
            return True if not bare else None

        await wait_for("the fake GPU nodes to be Ready again after kwok resumed", nodes_back, within=60.0)
