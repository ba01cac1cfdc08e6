"""A workload's phase from its Pod, for every kind whose status object is a pod.

What the cluster says, mapped onto the simulator's phases (provisioning/local/simulator.py):

- Pending with ``PodScheduled=False`` (reason ``Unschedulable``) -> UNSCHEDULABLE, with the
  scheduler's own message ("0/3 nodes are available: 1 Insufficient nvidia.com/gpu ...");
- bound to a node but not Ready -> STARTING; Running and Ready -> RUNNING;
- a ``DisruptionTarget`` condition says why the pod is being removed: ``PreemptionByScheduler``
  -> EVICTED ("Preempted ..."); any other (``DeletionByTaintManager`` for a lost node,
  ``DeletionByPodGC`` for a deleted one, ``EvictionByEvictionAPI`` ...) -> FAILED with it;
- otherwise being deleted -> TERMINATING; Failed (or exited) -> FAILED with the pod's reason.
"""

from __future__ import annotations

from icgpu.provisioning.base import Observation, Phase
from icgpu.provisioning.kubernetes.kinds import Manifest

PREEMPTION = "PreemptionByScheduler"


def condition(pod: Manifest, type_: str) -> Manifest | None:
    return next((c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") == type_), None)


def disruption(pod: Manifest) -> Observation | None:
    """EVICTED or FAILED when the cluster is removing the pod for a reason of its own."""
    cond = condition(pod, "DisruptionTarget")
    if cond is None or cond.get("status") != "True":
        return None
    node = (pod.get("spec") or {}).get("nodeName")
    message = cond.get("message") or ""
    if cond.get("reason") == PREEMPTION:
        where = f" on node {node}" if node else ""
        return Observation(Phase.EVICTED, slot=node,
                           reason=f"Preempted by the scheduler for a higher-priority workload{where} ({message})")
    return Observation(Phase.FAILED, slot=node, reason=f"{cond.get('reason')}: {message}".rstrip(": "))


def failure_reason(pod: Manifest) -> str:
    """Why a pod failed: its own reason and message (NodeLost, Evicted ...), else its container's."""
    status = pod.get("status") or {}
    if status.get("reason") or status.get("message"):
        return f"{status.get('reason') or 'Failed'}: {status.get('message') or ''}".rstrip(": ")
    for container in status.get("containerStatuses") or []:
        terminated = (container.get("state") or {}).get("terminated")
        if terminated:
            return (f"container {container.get('name')} {terminated.get('reason') or 'terminated'} "
                    f"(exit code {terminated.get('exitCode')})")
    return f"the pod is {status.get('phase', 'Failed')}"


def pod_observation(pod: Manifest | None) -> Observation:
    if pod is None:
        return Observation(Phase.ABSENT)
    disrupted = disruption(pod)
    if disrupted is not None:
        return disrupted
    node = (pod.get("spec") or {}).get("nodeName")
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return Observation(Phase.TERMINATING, slot=node)
    phase = (pod.get("status") or {}).get("phase", "Pending")
    if phase in ("Failed", "Succeeded"):
        return Observation(Phase.FAILED, slot=node, reason=failure_reason(pod))
    if phase == "Running":
        ready = condition(pod, "Ready")
        return Observation(Phase.RUNNING if ready and ready.get("status") == "True" else Phase.STARTING, slot=node)
    if node:
        return Observation(Phase.STARTING, slot=node)
    scheduled = condition(pod, "PodScheduled")
    if scheduled is not None and scheduled.get("status") == "False":
        return Observation(Phase.UNSCHEDULABLE,
                           reason=f"{scheduled.get('reason') or 'Unschedulable'}: {scheduled.get('message') or ''}"
                           .rstrip(": "))
    return Observation(Phase.UNSCHEDULABLE, reason="waiting for the scheduler")
