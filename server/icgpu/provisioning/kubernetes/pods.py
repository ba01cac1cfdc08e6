"""A workload's phase from its Pod, for every kind whose status object is a pod.

What the cluster says, mapped onto the simulator's phases (provisioning/local/simulator.py):

- Pending with ``PodScheduled=False`` (reason ``Unschedulable``) -> UNSCHEDULABLE, with the
  scheduler's own message ("0/3 nodes are available: 1 Insufficient nvidia.com/gpu ...");
- bound to a node but not Ready -> STARTING; Running and Ready -> RUNNING;
- a ``DisruptionTarget`` condition says why the pod is being removed: ``PreemptionByScheduler``
  -> EVICTED ("Preempted ..."); any other (``DeletionByTaintManager`` for a lost node,
  ``DeletionByPodGC`` for a deleted one, ``EvictionByEvictionAPI`` ...) -> FAILED with it;
- a pod whose node is lost (deleted, or not Ready for longer than a grace: ``node_loss``) -> FAILED
  "node <name> lost: ...". The cluster gets there late (PodGC deletes a deleted node's pods after a
  40 s quarantine, the taint manager a NotReady node's after their 300 s toleration), so the pod
  watch (watch.PodWatch) marks its copy of such a pod at once (``marked_lost``: the condition
  ``DisruptionTarget`` with the reason ``NodeLost``) and shows it to the provisioner;
- otherwise being deleted -> TERMINATING; Failed (or exited) -> FAILED with the pod's reason.
"""

from __future__ import annotations

from datetime import datetime

from icgpu.provisioning.base import Observation, Phase
from icgpu.provisioning.kubernetes.kinds import Manifest

PREEMPTION = "PreemptionByScheduler"
NODE_LOST = "NodeLost"  # the DisruptionTarget reason the pod watch gives a pod whose node is lost
# How long a node may stay not Ready before its pods count as lost. kube-controller-manager marks a
# silent node's Ready Unknown after its --node-monitor-grace-period (50 s by default), so a node is
# lost about 110 s after its kubelet stopped: long enough for a kubelet restart or a brief partition,
# far shorter than the 300 s after which Kubernetes itself evicts the pods.
NODE_NOT_READY_GRACE = 60.0


def condition(pod: Manifest, type_: str) -> Manifest | None:
    return next((c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") == type_), None)


def disruption(pod: Manifest) -> Observation | None:
    """EVICTED or FAILED when the cluster is removing the pod for a reason of its own."""
    cond = condition(pod, "DisruptionTarget")
    if cond is None or cond.get("status") != "True":
        return None
    node = (pod.get("spec") or {}).get("nodeName")
    message = cond.get("message") or ""
    if cond.get("reason") == NODE_LOST:
        return Observation(Phase.FAILED, slot=node, reason=message)
    if cond.get("reason") == PREEMPTION:
        where = f" on node {node}" if node else ""
        return Observation(Phase.EVICTED, slot=node,
                           reason=f"Preempted by the scheduler for a higher-priority workload{where} ({message})")
    return Observation(Phase.FAILED, slot=node, reason=f"{cond.get('reason')}: {message}".rstrip(": "))


def _time(value: object) -> datetime | None:
    """An RFC 3339 time of the API server ("2026-11-28T05:00:00Z"), None if absent or unreadable."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def node_loss(name: str, node: Manifest | None, now: datetime, grace: float = NODE_NOT_READY_GRACE) -> str | None:
    """Why the pods bound to node ``name`` are lost, or None while it stands: the Node deleted (``node``
    None: nothing but a new kubelet registration brings a deleted Node back, and its pods are orphans),
    or its ``Ready`` condition other than True for longer than ``grace`` seconds (counted from the
    condition's lastTransitionTime; a node not yet reporting Ready is starting, not lost). ``now`` is
    timezone-aware."""
    if node is None or (node.get("metadata") or {}).get("deletionTimestamp"):
        return f"node {name} lost: it was deleted from the cluster"
    ready = condition(node, "Ready")
    if ready is None or ready.get("status") == "True":
        return None
    since = _time(ready.get("lastTransitionTime"))
    if since is None or (now - since).total_seconds() < grace:
        return None
    why = f"{ready.get('reason') or 'NotReady'}: {ready.get('message') or ''}".rstrip(": ")
    return f"node {name} lost: not Ready since {since.isoformat()} ({why})"


def marked_lost(pod: Manifest, why: str) -> Manifest:
    """A copy of ``pod`` with the ``DisruptionTarget`` condition ``NodeLost`` saying ``why``: what the
    cluster itself sets later (``DeletionByPodGC``, ``DeletionByTaintManager``), set now."""
    status = dict(pod.get("status") or {})
    others = [c for c in status.get("conditions") or [] if c.get("type") != "DisruptionTarget"]
    status["conditions"] = [*others, {"type": "DisruptionTarget", "status": "True", "reason": NODE_LOST,
                                      "message": why}]
    return {**pod, "status": status}


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
