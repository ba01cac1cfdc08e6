"""A function run as a batch/v1 Job: one pod, never retried, bounded in time, given its input and secrets.

``backoffLimit: 0`` (a run that fails is reported failed, not run again: its side effects must not
happen twice), ``activeDeadlineSeconds`` (the Job controller kills the pod and marks the Job Failed
with reason DeadlineExceeded; Kubernetes counts it from the Job's start, so time spent waiting for a
GPU counts too), one container holding one unit of the tier's GPU resource, on the tier's priority
class. The container runs the function's image and entrypoint (as ``command``) with its plain env
vars, and the deadline is the run's ``timeout_seconds``, all from the spec's ``FunctionRunDetails``; a
spec without them is refused (``WorkloadRefused``).

What the runner adds for a run (``FunctionRunDetails.secret_env``, ``input_json``, ``function_id``)
goes in a Secret of the run's own, applied before the Job and owned, like it, by the workload's
record: each secret env var is a key referenced by ``env[].valueFrom.secretKeyRef`` (its value is
never in the Job), and the input is the key ``input.json``, mounted read-only at ``INPUT_PATH``. As
the local executor does (provisioning/local/function_exec.py), the entrypoint gets the input as JSON
on stdin (``/bin/sh`` redirects the file, then ``exec``s the command: the image needs a shell, as a
local entrypoint does), and ``ICGPU_RUN_ID`` / ``ICGPU_FUNCTION_ID`` in its environment
(``ICGPU_INPUT_FILE`` names the file too).

The status object is the Job: its conditions say how the run ended (Complete / SuccessCriteriaMet ->
SUCCEEDED, Failed / FailureTarget -> FAILED with the reason), ``status.ready`` that its pod runs.
``run_result`` reads the exit code, when it ran and whether the deadline ended it from the Job and its pod.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import TypeGuard

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadResult, WorkloadSpec
from icgpu.provisioning.details import FunctionRunDetails, require
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.pods import condition
from icgpu.provisioning.kubernetes.workload_pods import CONTAINER, explain, gpu_container, metadata, pod_spec

JOB = ObjectType("batch", "v1", "jobs", "Job")
SECRET = ObjectType("", "v1", "secrets", "Secret")
COMPLETED = "the run's Job completed"
DEADLINE_EXCEEDED = "DeadlineExceeded"  # the Job condition's reason when activeDeadlineSeconds ran out
INPUT_KEY = "input.json"
INPUT_DIR = "/var/run/icgpu"
INPUT_PATH = f"{INPUT_DIR}/{INPUT_KEY}"
INPUT_VOLUME = "icgpu-run"
# Runs the split entrypoint ("$@") with the input file as its stdin: no shell parses the entrypoint.
STDIN_FROM_INPUT = ("/bin/sh", "-c", 'exec "$@" <"$ICGPU_INPUT_FILE"', "icgpu-run")


def _true(condition: Manifest | None) -> TypeGuard[Manifest]:
    return condition is not None and condition.get("status") == "True"


def secret_name(ctx: RenderContext) -> str:
    return f"{ctx.name}-run"


def _run_env(spec: WorkloadSpec, details: FunctionRunDetails, ctx: RenderContext) -> list[Manifest]:
    """The container's env: the run's own variables last and winning over the function's of the same
    name (as locally), each name once (server-side apply keys the list by name)."""
    own: dict[str, Manifest] = {}
    if details.function_id is not None:
        own["ICGPU_RUN_ID"] = {"value": spec.instance_id}
        own["ICGPU_FUNCTION_ID"] = {"value": details.function_id}
    if details.input_json is not None:
        own["ICGPU_INPUT_FILE"] = {"value": INPUT_PATH}
    env: dict[str, Manifest] = {name: {"value": value} for name, value in details.env}
    for name, _ in details.secret_env:
        env[name] = {"valueFrom": {"secretKeyRef": {"name": secret_name(ctx), "key": name}}}
    env.update(own)
    return [{"name": name, **source} for name, source in env.items()]


def _secret(details: FunctionRunDetails, ctx: RenderContext) -> Manifest | None:
    data = dict(details.secret_env)
    if details.input_json is not None:
        data[INPUT_KEY] = details.input_json  # env names cannot hold a dot: no clash
    if not data:
        return None
    return {"apiVersion": SECRET.api_version, "kind": SECRET.kind, "metadata": metadata(ctx, secret_name(ctx)),
            "type": "Opaque", "data": {k: base64.b64encode(v.encode()).decode() for k, v in sorted(data.items())}}


class FunctionRunRenderer:
    kind = WorkloadKind.FUNCTION_RUN
    status_type = JOB

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        details = require(spec.details, FunctionRunDetails, spec.instance_id)
        command = list(details.command)
        extra: Manifest = {}
        container: Manifest = gpu_container(ctx, details.image)
        if details.input_json is not None:
            command = [*STDIN_FROM_INPUT, *command]
            container["volumeMounts"] = [{"name": INPUT_VOLUME, "mountPath": INPUT_DIR, "readOnly": True}]
            extra["volumes"] = [{"name": INPUT_VOLUME, "secret": {
                "secretName": secret_name(ctx), "items": [{"key": INPUT_KEY, "path": INPUT_KEY}]}}]
        container["command"] = command
        env = _run_env(spec, details, ctx)
        if env:
            container["env"] = env
        secret = _secret(details, ctx)
        job: Manifest = {
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
                    "spec": pod_spec(ctx, container, restart_policy="Never", **extra),
                },
            },
        }
        return [secret, job] if secret is not None else [job]  # the Secret first: the pod mounts it

    def observe(self, status_object: Manifest | None, ctx: RenderContext) -> Observation:
        if status_object is None:
            return Observation(Phase.ABSENT)
        for failed in ("Failed", "FailureTarget"):
            cond = condition(status_object, failed)
            if _true(cond):
                return Observation(Phase.FAILED, reason=explain(cond) or "the run's Job failed")
        if _true(condition(status_object, "Complete")) or _true(condition(status_object, "SuccessCriteriaMet")):
            return Observation(Phase.SUCCEEDED, reason=COMPLETED)
        if (status_object.get("metadata") or {}).get("deletionTimestamp"):
            return Observation(Phase.TERMINATING)
        if (status_object.get("status") or {}).get("ready"):
            return Observation(Phase.RUNNING)
        return Observation(Phase.STARTING, reason="waiting for the run's pod")


def deadline_exceeded(job: Manifest | None) -> bool:
    """The Job ended because its ``activeDeadlineSeconds`` ran out (the run's timeout)."""
    return job is not None and any(
        _true(condition(job, type_)) and (condition(job, type_) or {}).get("reason") == DEADLINE_EXCEEDED
        for type_ in ("Failed", "FailureTarget"))


def _terminated(pod: Manifest | None) -> Manifest:
    """The run container's ``state.terminated`` ({} while it has not ended, or without a pod)."""
    for status in ((pod or {}).get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == CONTAINER:
            return dict((status.get("state") or {}).get("terminated") or {})
    return {}


def _time(value: object) -> datetime | None:
    """An API timestamp (RFC 3339, ``...Z``)."""
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def run_result(job: Manifest | None, pod: Manifest | None, logs: str | None) -> WorkloadResult:
    """The exit code from the pod's terminated container (None: it never ran, or the pod is gone); the run
    ran from the pod's ``startTime`` (when the node took it: its GPU is in use from then) to the
    container's ``finishedAt``."""
    terminated = _terminated(pod)
    code = terminated.get("exitCode")
    return WorkloadResult(exit_code=None if code is None else int(code), logs=logs,
                          deadline_exceeded=deadline_exceeded(job),
                          started_at=_time(((pod or {}).get("status") or {}).get("startTime")),
                          finished_at=_time(terminated.get("finishedAt")))
