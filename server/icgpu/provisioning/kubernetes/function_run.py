"""A function run as a batch/v1 Job: one pod, never retried, bounded in time.

``backoffLimit: 0`` (a run that fails is reported failed, not run again: its side effects must not
happen twice), ``activeDeadlineSeconds`` (the Job controller kills the pod and marks the Job Failed
with reason DeadlineExceeded), one container holding one unit of the tier's GPU resource, on the
tier's priority class. ``WorkloadSpec`` does not carry the function's timeout, image or entrypoint:
the deadline is the functions service's default timeout (``services/functions.py`` DEFAULT_TIMEOUT,
300 s) and the image a placeholder, until the spec carries the function's own.

The status object is the Job: its conditions (Complete / SuccessCriteriaMet, Failed / FailureTarget)
say how the run ended, ``status.ready`` that its pod runs.
"""

from __future__ import annotations

from typing import TypeGuard

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.pods import condition
from icgpu.provisioning.kubernetes.workload_pods import explain, gpu_container, metadata, pod_spec
from icgpu.services.functions import DEFAULT_TIMEOUT

JOB = ObjectType("batch", "v1", "jobs", "Job")
FUNCTION_IMAGE = "ghcr.io/ic-gpu/function-runtime:1"  # WorkloadSpec does not carry the function's image
COMPLETED = "the run's Job completed"


def _true(condition: Manifest | None) -> TypeGuard[Manifest]:
    return condition is not None and condition.get("status") == "True"


class FunctionRunRenderer:
    kind = WorkloadKind.FUNCTION_RUN
    status_type = JOB

    def __init__(self, deadline_seconds: int = DEFAULT_TIMEOUT) -> None:
        self.deadline_seconds = deadline_seconds

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        return [{
            "apiVersion": JOB.api_version,
            "kind": JOB.kind,
            "metadata": metadata(ctx),
            "spec": {
                "backoffLimit": 0,
                "activeDeadlineSeconds": self.deadline_seconds,
                "completions": 1,
                "parallelism": 1,
                "template": {
                    "metadata": {"labels": dict(ctx.labels)},
                    "spec": pod_spec(ctx, gpu_container(ctx, FUNCTION_IMAGE), restart_policy="Never"),
                },
            },
        }]

    def observe(self, status_object: Manifest | None, ctx: RenderContext) -> Observation:
        if status_object is None:
            return Observation(Phase.ABSENT)
        for failed in ("Failed", "FailureTarget"):
            cond = condition(status_object, failed)
            if _true(cond):
                return Observation(Phase.FAILED, reason=explain(cond) or "the run's Job failed")
        if _true(condition(status_object, "Complete")) or _true(condition(status_object, "SuccessCriteriaMet")):
            return Observation(Phase.TERMINATING, reason=COMPLETED)  # done: its GPU is given back
        if (status_object.get("metadata") or {}).get("deletionTimestamp"):
            return Observation(Phase.TERMINATING)
        if (status_object.get("status") or {}).get("ready"):
            return Observation(Phase.RUNNING)
        return Observation(Phase.STARTING, reason="waiting for the run's pod")
