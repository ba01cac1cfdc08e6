"""A function run as a batch/v1 Job: one pod, never retried, bounded in time.

``backoffLimit: 0`` (a run that fails is reported failed, not run again: its side effects must not
happen twice), ``activeDeadlineSeconds`` (the Job controller kills the pod and marks the Job Failed
with reason DeadlineExceeded), one container holding one unit of the tier's GPU resource, on the
tier's priority class. The container runs the function's image and entrypoint (as ``command``) with
its plain env vars, and the deadline is the run's ``timeout_seconds``, all from the spec's
``FunctionRunDetails``; a spec without them is refused (``WorkloadRefused``). The function's secret
env vars are not put in the Job (details.py says why), nor is the run's input: a Kubernetes run has
no way to receive either yet.

The status object is the Job: its conditions (Complete / SuccessCriteriaMet, Failed / FailureTarget)
say how the run ended, ``status.ready`` that its pod runs.
"""

from __future__ import annotations

from typing import TypeGuard

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import FunctionRunDetails, require
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.pods import condition
from icgpu.provisioning.kubernetes.workload_pods import explain, gpu_container, metadata, pod_spec

JOB = ObjectType("batch", "v1", "jobs", "Job")
COMPLETED = "the run's Job completed"


def _true(condition: Manifest | None) -> TypeGuard[Manifest]:
    return condition is not None and condition.get("status") == "True"


class FunctionRunRenderer:
    kind = WorkloadKind.FUNCTION_RUN
    status_type = JOB

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        details = require(spec.details, FunctionRunDetails, spec.instance_id)
        container: Manifest = {**gpu_container(ctx, details.image), "command": list(details.command)}
        if details.env:
            container["env"] = [{"name": name, "value": value} for name, value in details.env]
        return [{
            "apiVersion": JOB.api_version,
            "kind": JOB.kind,
            "metadata": metadata(ctx),
            "spec": {
                "backoffLimit": 0,
                "activeDeadlineSeconds": details.timeout_seconds,
                "completions": 1,
                "parallelism": 1,
                "template": {
                    "metadata": {"labels": dict(ctx.labels)},
                    "spec": pod_spec(ctx, container, restart_policy="Never"),
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
