"""GPU function runs on Kubernetes: the run's Job is the run. A real ``icgpu serve`` with
ICGPU_PROVISIONER=kubernetes (and host execution off: nothing may run on this host) against the test
control plane: a run's Job carries the function's image, command, env, the secret env values by
reference to a Secret of the run's own (with the input), and its deadline; it waits, queued, with the
scheduler's reason while its tier is full, then runs and succeeds when kwok completes the Job; a
deadline that passes while it waits fails it; a deadline that passes while it runs times it out; a
cancel deletes the Job; the secret value is in neither the server's log nor its events.

kwok completes a Job's pod as soon as it runs, so a test that must see a Job before it ends fills the
dedicated node first (``fill_dedicated_but``), and the timeout test stops kwok for a few seconds and
plays the kubelet itself (the pod runs and never ends).
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes_asyncio import client

from icgpu.provisioning.base import Observation, Phase, WorkloadResult
from icgpu.provisioning.kubernetes.function_run import INPUT_PATH, JOB, SECRET, STDIN_FROM_INPUT
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.naming import WORKLOAD_LABEL, object_name
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP, POD, Resources
from icgpu.services.function_runs import RunStatus
from icgpu.workers.function_runner import cluster_outcome, log_fields
from tests.k8s.conftest import KubernetesServers
from tests.k8s.control_plane import ControlPlane, kwok_stopped, wait_for
from tests.k8s.workloads import blocking, fill_dedicated_but
from tests.server.test_functions import FUNCTIONS, all_events_text, event_types, new_function, start_run, wait_run
from tests.support.server import Server
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

WITHIN = 60.0  # seconds for any one state to be reached
DEADLINE = 8  # the timeout of the function whose run outlasts it
RUN_TYPES = (CONFIG_MAP, SECRET, JOB, POD)  # the record and what a run becomes


@pytest.fixture
def k8s_server(k8s_servers: KubernetesServers) -> Server:
    return k8s_servers(ICGPU_LOCAL_FUNCTION_EXEC="false")


@pytest.fixture
async def tenant(k8s_servers: KubernetesServers, k8s_server: Server) -> Tenant:
    """A tenant of the server (its namespace, empty but for its quota by then, is deleted at the end)."""
    return await k8s_servers.tenant(k8s_server, "k8s-fn")


async def objects_of(res: Resources, run_id: str) -> dict[str, list[Manifest]]:
    selector = f"{WORKLOAD_LABEL}={object_name(run_id)}"
    return {t.kind: list((await res.list(t, label_selector=selector)).get("items") or []) for t in RUN_TYPES}


async def the_job(res: Resources, run_id: str) -> Manifest:
    async def probe() -> Manifest | None:
        jobs = (await objects_of(res, run_id))["Job"]
        return jobs[0] if jobs else None

    return await wait_for(f"the Job of {run_id}", probe, within=WITHIN)


async def gone(res: Resources, run_id: str) -> None:
    async def probe() -> bool | None:
        return True if not any((await objects_of(res, run_id)).values()) else None

    await wait_for(f"every object of {run_id} to be deleted", probe, within=WITHIN)


async def run_is(tenant: Tenant, fn_id: str, run_id: str, *statuses: str) -> dict[str, Any]:
    return await blocking(wait_run, tenant.api, fn_id, run_id, statuses, WITHIN)


async def waiting_with_reason(tenant: Tenant, fn_id: str, run_id: str, reason: str) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        run: dict[str, Any] = tenant.api.get(f"{FUNCTIONS}/{fn_id}/runs/{run_id}").json()
        assert run["status"] == "queued", run
        return run if reason in (run["status_reason"] or "") else None

    async def poll() -> dict[str, Any] | None:
        return await blocking(probe)

    return await wait_for(f"run {run_id} to wait with {reason!r}", poll, within=WITHIN)


def owned_by_record(obj: Manifest, objects: dict[str, list[Manifest]]) -> bool:
    record = objects["ConfigMap"][0]["metadata"]
    return [(r["kind"], r["uid"]) for r in obj["metadata"].get("ownerReferences") or []] == \
        [("ConfigMap", record["uid"])]


def secret_value(secret: Manifest, key: str) -> str:
    return base64.b64decode(secret["data"][key]).decode()


async def test_a_run_is_its_job_with_image_command_env_secret_input_and_deadline(
        k8s_server: Server, tenant: Tenant, res: Resources, core: client.CoreV1Api, namespace: str) -> None:
    secret = f"hf-secret-{uuid.uuid4().hex}"
    fn = await blocking(new_function, tenant.api, image="registry.gpu.local/t/classify:v2",
                        entrypoint="python3 -m classify --top 'five words'", gpuTier="dedicated", timeoutSeconds=120,
                        envVars={"MODEL_PATH": "/models/r50.pt"}, secretEnvVars={"HF_TOKEN": secret})
    await fill_dedicated_but(core, namespace, 0)  # the run's pod waits: its Job is seen before it ends
    run = await blocking(start_run, tenant.api, fn["id"], {"top_k": 5})
    await waiting_with_reason(tenant, fn["id"], run["id"], "Insufficient nvidia.com/gpu")

    job = await the_job(res, run["id"])
    objects = await objects_of(res, run["id"])
    spec = job["spec"]
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    assert (spec["backoffLimit"], spec["activeDeadlineSeconds"]) == (0, 120)
    assert container["image"] == "registry.gpu.local/t/classify:v2"
    # The entrypoint split as a shell would, run with the input file as its stdin (as locally).
    assert container["command"] == [*STDIN_FROM_INPUT, "python3", "-m", "classify", "--top", "five words"]
    env = {e["name"]: e for e in container["env"]}
    assert env["MODEL_PATH"]["value"] == "/models/r50.pt"
    assert env["ICGPU_RUN_ID"]["value"] == run["id"] and env["ICGPU_FUNCTION_ID"]["value"] == fn["id"]
    assert env["ICGPU_INPUT_FILE"]["value"] == INPUT_PATH
    (run_secret,) = objects["Secret"]
    assert env["HF_TOKEN"] == {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {
        "name": run_secret["metadata"]["name"], "key": "HF_TOKEN"}}}
    assert secret not in json.dumps(job)  # the value is only in the Secret
    assert secret_value(run_secret, "HF_TOKEN") == secret
    assert json.loads(secret_value(run_secret, "input.json")) == {"top_k": 5}
    assert pod["volumes"][0]["secret"]["secretName"] == run_secret["metadata"]["name"]
    assert container["volumeMounts"][0]["mountPath"] == os.path.dirname(INPUT_PATH)
    assert owned_by_record(job, objects) and owned_by_record(run_secret, objects)

    await core.delete_namespaced_pod("holder", namespace, grace_period_seconds=0)  # a GPU frees
    done = await run_is(tenant, fn["id"], run["id"], "succeeded", "failed", "timed_out")
    assert done["status"] == "succeeded", done
    # kwok runs no container: the pod says it exited 0 and there is no log, so no output either.
    assert (done["exit_code"], done["output"], done["logs"]) == (0, None, None), done
    # From the pod's start to the container's end, as the cluster recorded them (kwok: within seconds).
    assert done["started_at"] <= done["finished_at"] and 0 <= done["duration_seconds"] < 30, done
    assert await blocking(event_types, k8s_server, run["id"]) == [
        "function.run_queued", "function.run_started", "function.completed"]
    await gone(res, run["id"])  # released once it ended

    assert secret not in k8s_server.log()
    assert secret not in await blocking(all_events_text, k8s_server)


async def test_cancelling_a_waiting_run_deletes_its_job(
        tenant: Tenant, res: Resources, core: client.CoreV1Api, namespace: str) -> None:
    fn = await blocking(new_function, tenant.api, entrypoint="sleep 600", gpuTier="dedicated",
                        secretEnvVars={"TOKEN": "t0ken"})
    await fill_dedicated_but(core, namespace, 0)
    run = await blocking(start_run, tenant.api, fn["id"])
    await the_job(res, run["id"])
    r = await blocking(tenant.api.post, f"{FUNCTIONS}/{fn['id']}/runs/{run['id']}/cancel")
    assert r.status_code == 200, r.text
    await gone(res, run["id"])  # the Job, its pod, the Secret and the record
    assert (await run_is(tenant, fn["id"], run["id"], "cancelled"))["status"] == "cancelled"


async def test_a_deadline_that_passes_while_the_run_waits_fails_it(
        tenant: Tenant, res: Resources, core: client.CoreV1Api, namespace: str) -> None:
    """Kubernetes counts activeDeadlineSeconds from the Job's start: waiting for a GPU uses it up."""
    fn = await blocking(new_function, tenant.api, entrypoint="python3 work.py", gpuTier="dedicated",
                        timeoutSeconds=2)
    await fill_dedicated_but(core, namespace, 0)
    run = await blocking(start_run, tenant.api, fn["id"])
    assert (await the_job(res, run["id"]))["spec"]["activeDeadlineSeconds"] == 2
    done = await run_is(tenant, fn["id"], run["id"], "succeeded", "failed", "timed_out")
    assert done["status"] == "failed", done
    assert "2 s deadline passed before it started running" in done["status_reason"], done
    assert "DeadlineExceeded" in done["status_reason"] and done["error"] == done["status_reason"]
    assert done["started_at"] is None and done["exit_code"] is None
    await gone(res, run["id"])


async def play_kubelet_running(core: client.CoreV1Api, pod: Manifest) -> None:
    """What kwok's pod-ready stage writes: Running and Ready (and nothing ever completes it)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    conditions = [{"type": t, "status": "True", "lastTransitionTime": now}
                  for t in ("Initialized", "Ready", "ContainersReady")]
    container = pod["spec"]["containers"][0]
    status = {"phase": "Running", "startTime": now, "conditions": conditions, "containerStatuses": [{
        "name": container["name"], "image": container["image"], "imageID": "", "ready": True, "restartCount": 0,
        "started": True, "state": {"running": {"startedAt": now}}}]}
    await core.patch_namespaced_pod_status(pod["metadata"]["name"], pod["metadata"]["namespace"],
                                           {"status": status})


async def test_a_run_still_running_at_its_deadline_times_out(
        tenant: Tenant, res: Resources, core: client.CoreV1Api, control_plane: ControlPlane) -> None:
    # The deadline only has to outlast binding the pod and playing its kubelet (a fraction of a second);
    # whether the runner sees the run running before it ends is the machine's timing, not the contract:
    # a run whose pod started before the deadline passed times out either way.
    fn = await blocking(new_function, tenant.api, entrypoint="python3 train.py", gpuTier="dedicated",
                        timeoutSeconds=DEADLINE)
    async with kwok_stopped(control_plane, core):
        run = await blocking(start_run, tenant.api, fn["id"])

        async def bound_pod() -> Manifest | None:
            pods = (await objects_of(res, run["id"]))["Pod"]
            return pods[0] if pods and pods[0]["spec"].get("nodeName") else None

        await play_kubelet_running(core, await wait_for("the run's pod to be bound", bound_pod, within=WITHIN))
        done = await run_is(tenant, fn["id"], run["id"], "succeeded", "failed", "timed_out")
    assert done["status"] == "timed_out", done
    assert done["status_reason"].startswith(f"timed out after {DEADLINE} s"), done
    assert "DeadlineExceeded" in done["status_reason"]
    await gone(res, run["id"])


@pytest.mark.parametrize(("status", "obs", "result", "expected"), [
    ("running", Observation(Phase.SUCCEEDED, reason="the run's Job completed"), WorkloadResult(exit_code=0),
     (RunStatus.SUCCEEDED, "the run's Job completed (exit code 0)")),
    ("running", Observation(Phase.FAILED, reason="BackoffLimitExceeded: Job has reached the specified backoff limit"),
     WorkloadResult(exit_code=3), (RunStatus.FAILED, "BackoffLimitExceeded: Job has reached the specified backoff "
                                                     "limit (exit code 3)")),
    ("running", Observation(Phase.FAILED, reason="DeadlineExceeded: too long"), WorkloadResult(deadline_exceeded=True),
     (RunStatus.TIMED_OUT, "timed out after 9 s; the cluster stopped it at its deadline (DeadlineExceeded: too long)")),
    ("queued", Observation(Phase.FAILED, reason="DeadlineExceeded: too long"), WorkloadResult(deadline_exceeded=True),
     (RunStatus.FAILED, "its 9 s deadline passed before it started running (DeadlineExceeded: too long)")),
    # It had run between two passes: its pod started, so it timed out.
    ("queued", Observation(Phase.FAILED, reason="DeadlineExceeded: too long"),
     WorkloadResult(deadline_exceeded=True, started_at=datetime(2026, 1, 1, tzinfo=UTC)),
     (RunStatus.TIMED_OUT, "timed out after 9 s; the cluster stopped it at its deadline (DeadlineExceeded: too long)")),
    ("running", Observation(Phase.EVICTED, reason="Preempted"), WorkloadResult(),
     (RunStatus.FAILED, "the GPU was lost: Preempted")),
])
def test_how_a_run_the_cluster_ran_ended(status: str, obs: Observation, result: WorkloadResult,
                                         expected: tuple[RunStatus, str]) -> None:
    assert cluster_outcome(status, obs, result, 9) == expected


@pytest.mark.parametrize(("log", "expected"), [
    (None, {"output": None, "logs": None}),  # no container ran (kwok): nothing is made up
    ('{"top_k": 5}\n', {"output": {"top_k": 5}, "logs": '{"top_k": 5}\n'}),
    ("loading\n" + "x" * 30, {"output": "loading\n" + "x" * 12, "logs": "x" * 16}),  # cut: the text
])
def test_a_pod_log_becomes_the_runs_output_and_logs(log: str | None, expected: dict[str, object]) -> None:
    assert log_fields(log, 20, 16) == expected
