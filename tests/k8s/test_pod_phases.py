"""How a pod's status becomes a workload's phase (pods.py), on pods as the API server reports them:
the scheduler's Unschedulable, scheduled, Running and Ready, deleted, failed, preempted, and removed
for a lost node. No cluster needed."""

from __future__ import annotations

from typing import Any

import pytest

from icgpu.provisioning.base import Phase
from icgpu.provisioning.kubernetes.instance import InstanceRenderer
from icgpu.provisioning.kubernetes.kinds import RenderContext
from icgpu.provisioning.kubernetes.pods import pod_observation

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

UNSCHEDULABLE = ("0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node "
                 "affinity/selector. preemption: 0/3 nodes are available: 3 No preemption victims found.")


def pod(phase: str = "Pending", node: str | None = None, conditions: list[dict[str, Any]] | None = None,
        deleting: bool = False, **status: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "inst-x", "namespace": "icgpu-tnt-x", "uid": "u1"}
    if deleting:
        meta["deletionTimestamp"] = "2026-11-28T03:00:00Z"
    return {"metadata": meta, "spec": {"nodeName": node} if node else {},
            "status": {"phase": phase, "conditions": conditions or [], **status}}


def cond(type_: str, status: str, reason: str | None = None, message: str | None = None) -> dict[str, Any]:
    return {"type": type_, "status": status, "reason": reason, "message": message}


def test_unschedulable_carries_the_schedulers_message() -> None:
    obs = pod_observation(pod(conditions=[cond("PodScheduled", "False", "Unschedulable", UNSCHEDULABLE)]))
    assert obs.phase is Phase.UNSCHEDULABLE and obs.reason == f"Unschedulable: {UNSCHEDULABLE}"
    assert pod_observation(pod()).phase is Phase.UNSCHEDULABLE  # not looked at yet


def test_scheduled_starting_then_running_when_ready() -> None:
    node = "icgpu-gpu-dedicated"
    assert pod_observation(pod(node=node)) == pod_observation(pod(node=node)) and \
        pod_observation(pod(node=node)).phase is Phase.STARTING
    not_ready = pod("Running", node, [cond("Ready", "False")])
    assert pod_observation(not_ready).phase is Phase.STARTING
    ready = pod_observation(pod("Running", node, [cond("Ready", "True")]))
    assert ready.phase is Phase.RUNNING and ready.slot == node


def test_the_instance_reports_its_services_name_and_ssh_port() -> None:
    ctx = RenderContext(namespace="icgpu-tnt-x", name="inst-x", labels={}, gpu_resource="nvidia.com/gpu",
                        priority_class="icgpu-batch")
    obs = InstanceRenderer().observe(pod("Running", "n", [cond("Ready", "True")]), ctx)
    assert (obs.host, obs.port) == ("inst-x.icgpu-tnt-x.svc", 22)
    assert InstanceRenderer().observe(None, ctx).phase is Phase.ABSENT


def test_deleting_is_terminating_failed_carries_the_pods_reason() -> None:
    assert pod_observation(pod("Running", "n", deleting=True)).phase is Phase.TERMINATING
    lost = pod_observation(pod("Failed", "n", reason="NodeLost", message="node n which was running the pod is "
                                                                          "unresponsive"))
    assert lost.phase is Phase.FAILED and lost.reason == "NodeLost: node n which was running the pod is unresponsive"
    exited = pod("Failed", "n", containerStatuses=[{"name": "instance",
                                                   "state": {"terminated": {"reason": "Error", "exitCode": 3}}}])
    assert pod_observation(exited).reason == "container instance Error (exit code 3)"


def test_preemption_by_the_scheduler_is_an_eviction() -> None:
    preempted = pod("Running", "icgpu-gpu-dedicated", [cond("DisruptionTarget", "True", "PreemptionByScheduler",
                                                             "DefaultPreemption: preempting to accommodate a "
                                                             "higher priority pod")], deleting=True)
    obs = pod_observation(preempted)
    assert obs.phase is Phase.EVICTED and obs.reason is not None and obs.reason.startswith("Preempted")
    assert "icgpu-gpu-dedicated" in obs.reason


@pytest.mark.parametrize("reason", ["DeletionByTaintManager", "DeletionByPodGC", "EvictionByEvictionAPI"])
def test_other_disruptions_are_failures_with_their_reason(reason: str) -> None:
    obs = pod_observation(pod("Running", "n", [cond("DisruptionTarget", "True", reason, "the node is gone")],
                              deleting=True))
    assert obs.phase is Phase.FAILED and obs.reason == f"{reason}: the node is gone"


@pytest.mark.parametrize(("status", "body", "final"), [
    (422, '{"reason":"Invalid"}', True),
    (400, '{"reason":"BadRequest"}', True),
    # Server-side apply of a custom object that does not fit its CRD's schema.
    (500, '{"message":"failed to create typed patch object (/x; kubevirt.io/v1, Kind=VirtualMachine): '
          '.spec.template: expected map, got &{four}"}', True),
    (500, '{"message":"etcdserver: request timed out"}', False),
    (403, '{"reason":"Forbidden","message":"exceeded quota: icgpu-gpus"}', False),
    (409, '{"reason":"Conflict"}', False),
])
def test_which_refusals_are_final(status: int, body: str, final: bool) -> None:
    """A refusal of the objects themselves fails the workload; anything else is retried."""
    from kubernetes_asyncio.client import ApiException

    from icgpu.provisioning.kubernetes.provisioner import refused

    err = ApiException(status=status, reason="x")
    err.body = body
    assert refused(err) is final
