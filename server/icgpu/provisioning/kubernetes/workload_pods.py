"""The pieces the pod-backed kinds other than instances share: a GPU container and the pod spec around it.

A Slurm node (a head StatefulSet's pod or a worker Pod) and a function run (a Job's pod) each run one
container that asks for one unit of the tier's extended resource (requests equal limits), on the
tier's nodes, at the workload's priority class, with the workload's labels. A pod's phase is read by
``pods.pod_observation``, whatever made the pod.
"""

from __future__ import annotations

from typing import Any

from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.naming import TIER_LABEL

SERVICE = ObjectType("", "v1", "services", "Service")
CONTAINER = "main"


def gpu_container(ctx: RenderContext, image: str, *, ports: dict[str, int] | None = None) -> Manifest:
    """One container asking for one unit of the tier's GPU resource (an extended resource: requests equal
    limits, as the API server requires)."""
    container: Manifest = {
        "name": CONTAINER,
        "image": image,
        "resources": {"requests": {ctx.gpu_resource: "1"}, "limits": {ctx.gpu_resource: "1"}},
    }
    if ports:
        container["ports"] = [{"name": name, "containerPort": port, "protocol": "TCP"}
                              for name, port in ports.items()]
    return container


def pod_spec(ctx: RenderContext, container: Manifest, *, restart_policy: str, **extra: Any) -> Manifest:
    """A pod spec around `container`: on the tier's nodes (as instances are), at the workload's
    priority class, without a service account token (workloads do not call the API server), plus whatever
    `extra` fields the kind adds (hostname, subdomain ...)."""
    return {
        "containers": [container],
        "restartPolicy": restart_policy,
        "priorityClassName": ctx.priority_class,
        "nodeSelector": {TIER_LABEL: ctx.labels[TIER_LABEL]},
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        **extra,
    }


def metadata(ctx: RenderContext, name: str | None = None, labels: dict[str, str] | None = None) -> Manifest:
    """An object's metadata in the workload's namespace, with the workload's labels (plus `labels`)."""
    return {"name": name or ctx.name, "namespace": ctx.namespace, "labels": {**ctx.labels, **(labels or {})}}


def explain(condition: Manifest) -> str:
    """A condition as one line: its reason, then its message."""
    return ": ".join(part for part in (condition.get("reason"), condition.get("message")) if part)
