"""Model deployments on Kubernetes are served by KubeAI, not by a development engine on the server's host.

A real ``icgpu serve`` with ICGPU_PROVISIONER=kubernetes against the test control plane, and
ICGPU_KUBEAI_URL pointing at bench/gateway_upstream.py (an OpenAI-compatible server that records the
last body it was sent) standing in for KubeAI's endpoint. The test plays KubeAI's controller by
patching the Model's status (as kwok plays the kubelet). A deployment made over REST becomes a KubeAI
``Model`` (its Hugging Face token in a Secret the Model names, never in the Model); it is ready only
once the Model reports a ready replica, leaves the rotation when the Model loses it and comes back; a
call with the official ``openai`` client reaches the upstream with ``model`` = the Model's name while
the caller sees the name it asked for; a restarted server takes the running Model back instead of
making a new one; stopping deletes the Model and its Secret; no development-engine process was ever
started, and the token is not in the server's log.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from kubernetes_asyncio import client
from sqlalchemy import select

from icgpu.api.rest.model_schemas import ModelDeployment as DeploymentShape
from icgpu.db.engine import make_engine
from icgpu.db.tables_models import ModelDeployment
from icgpu.provisioning.kubernetes.function_run import SECRET
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.model_replica import HF_TOKEN, MODEL
from icgpu.provisioning.kubernetes.provisioner import RECORD_SELECTOR, WORKLOAD_ID
from icgpu.provisioning.kubernetes.resources import CONFIG_MAP
from tests.k8s.conftest import KubernetesServers
from tests.k8s.control_plane import wait_for
from tests.k8s.test_dry_run import Api
from tests.k8s.workloads import blocking
from tests.server.openai.conftest import credit
from tests.server.openai.upstreams import Upstream
from tests.support.processes import engine_children
from tests.support.server import Server
from tests.support.tenants import Tenant

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

WITHIN = 60.0  # seconds for any one state to be reached
MODELS = "/api/v1/models"
TOKEN = "hf_" + "Kq7" * 12  # a made-up Hugging Face token, searched for afterwards
MESSAGES = [{"role": "user", "content": "Say something."}]


@pytest.fixture
def kubeai(tmp_path: Path) -> Iterator[Upstream]:
    """KubeAI's OpenAI-compatible endpoint, played by the benchmark upstream (stopped by its pid)."""
    upstream = Upstream(log=tmp_path / "kubeai.log").start()
    try:
        yield upstream
    finally:
        upstream.stop()


@pytest.fixture
def k8s_server(k8s_servers: KubernetesServers, kubeai: Upstream) -> Server:
    return k8s_servers(ICGPU_KUBEAI_URL=kubeai.base_url, ICGPU_MODEL_HEALTH_INTERVAL_SECONDS="0.5")


@pytest.fixture
def api(kube: client.ApiClient) -> Api:
    return Api(kube)


@pytest.fixture
async def tenant(k8s_servers: KubernetesServers, k8s_server: Server) -> Tenant:
    """A tenant of the server (its namespace, where its replicas were, is deleted at the end)."""
    return await k8s_servers.tenant(k8s_server, "k8s-mdl")


async def replica_records(api: Api, deployment_id: str) -> list[Manifest]:
    """The workload records of the deployment's replicas (``<deployment id>.r<n>-<serial>``)."""
    listed = (await api.list(CONFIG_MAP, label_selector=RECORD_SELECTOR)).get("items") or []
    return [r for r in listed
            if (r["metadata"].get("annotations") or {}).get(WORKLOAD_ID, "").startswith(f"{deployment_id}.r")]


def deployment(tenant: Tenant, name: str) -> dict[str, Any]:
    r = tenant.api.get(f"{MODELS}/{name}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def wait_deployment(tenant: Tenant, name: str, what: str, check: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        d = await blocking(deployment, tenant, name)
        return d if check(d) else None

    return await wait_for(f"deployment {name}: {what}", probe, within=WITHIN)


async def stored_endpoints(server: Server, deployment_id: str) -> Any:
    """The deployment's ``endpoints`` as the server's database keeps them (never in the public API)."""
    engine = make_engine(server.db_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(select(ModelDeployment.endpoints)
                                       .where(ModelDeployment.id == deployment_id))).scalar_one()
    finally:
        await engine.dispose()


async def test_a_deployment_is_a_kubeai_model_called_by_its_name_at_kubeais_endpoint(
        k8s_server: Server, tenant: Tenant, api: Api, kubeai: Upstream) -> None:
    name = f"chat-{uuid.uuid4().hex[:6]}"
    r = await blocking(tenant.api.post, MODELS, json={
        "name": name, "model": "Qwen/Qwen2.5-0.5B-Instruct", "engine": "vllm", "minReplicas": 1, "maxReplicas": 1,
        "resourceProfile": "nvidia-gpu-timesliced", "huggingfaceToken": TOKEN})
    assert r.status_code == 201, r.text
    dep_id = r.json()["id"]

    # The replica is a Model, applied with its token Secret; the Model only names the Secret.
    async def model_applied() -> tuple[str, str, Manifest] | None:
        records = await replica_records(api, dep_id)
        if len(records) != 1:
            return None
        ns, model_name = records[0]["metadata"]["namespace"], records[0]["metadata"]["name"]
        model = await api.get(MODEL, ns, model_name)
        return (ns, model_name, model) if model is not None else None

    ns, model_name, model = await wait_for("the replica's Model", model_applied, within=WITHIN)
    spec = model["spec"]
    assert spec["url"] == "hf://Qwen/Qwen2.5-0.5B-Instruct" and spec["engine"] == "VLLM"
    assert spec["envFrom"] == [{"secretRef": {"name": f"{model_name}-hf"}}]
    assert TOKEN not in json.dumps(model)
    secret = await api.get(SECRET, ns, f"{model_name}-hf")
    assert secret is not None and base64.b64decode(secret["data"][HF_TOKEN]).decode() == TOKEN
    assert [o["name"] for o in secret["metadata"]["ownerReferences"]] == [model_name]  # the workload's record

    # Not ready while KubeAI reports no ready replica.
    d = await blocking(deployment, tenant, name)
    assert d["status"] != "ready" and d["ready_replicas"] == 0, d

    # KubeAI's controller: the Model's replica is ready -> so is the deployment, with no local process.
    await api.patch_status(MODEL, ns, model_name, {"replicas": {"all": 1, "ready": 1}})
    ready = await wait_deployment(tenant, name, "ready", lambda d: d["status"] == "ready" and d["ready_replicas"] == 1)
    assert k8s_server.proc is not None
    # Stored structured for an API process without the scaler: KubeAI's URL and the Model's name, apart.
    target = [{"url": kubeai.base_url.rstrip("/"), "model": model_name}]
    assert await stored_endpoints(k8s_server, dep_id) == target
    assert set(ready) == set(DeploymentShape.model_fields)  # the public shape: no endpoints in it
    assert engine_children(k8s_server.proc.pid) == []

    # A call: KubeAI's endpoint gets the Model's name; the caller sees its own.
    await blocking(credit, tenant, 1_000_000)
    with openai.OpenAI(base_url=k8s_server.url + "/v1", api_key=tenant.api_key, max_retries=0, timeout=30.0) as oai:
        done = await blocking(oai.chat.completions.create, model=name, messages=MESSAGES, max_tokens=16)
    assert done.model == name
    assert done.choices[0].message.content
    sent = (await blocking(kubeai.stats))["last_body"]
    assert sent["model"] == model_name and sent["messages"] == MESSAGES
    # Nothing is the development engine here: KubeAI, a real engine, serves it.
    assert (await blocking(deployment, tenant, name))["upstream"] == "external"
    with openai.OpenAI(base_url=k8s_server.url + "/v1", api_key=tenant.api_key, max_retries=0, timeout=30.0) as oai:
        listed = {m.id: m for m in (await blocking(oai.models.list)).data}
    assert listed[name].model_extra is not None and listed[name].model_extra["dev_engine"] is False

    # KubeAI loses the replica: out of rotation (not replaced: the same Model), back when it is ready again.
    await api.patch_status(MODEL, ns, model_name, {"replicas": {"all": 1, "ready": 0}})
    await wait_deployment(tenant, name, "no ready replica", lambda d: d["ready_replicas"] == 0)
    await api.patch_status(MODEL, ns, model_name, {"replicas": {"all": 1, "ready": 1}})
    await wait_deployment(tenant, name, "ready again", lambda d: d["status"] == "ready" and d["ready_replicas"] == 1)
    assert [r["metadata"]["name"] for r in await replica_records(api, dep_id)] == [model_name]

    # A new server process takes the running Model back (no new Model, no reload) and calls it.
    uid = model["metadata"]["uid"]
    await blocking(k8s_server.kill)
    await blocking(k8s_server.start)
    with openai.OpenAI(base_url=k8s_server.url + "/v1", api_key=tenant.api_key, max_retries=0, timeout=60.0) as oai:
        done = await blocking(oai.chat.completions.create, model=name, messages=MESSAGES, max_tokens=16)
    assert done.model == name
    assert (await blocking(kubeai.stats))["last_body"]["model"] == model_name
    assert [r["metadata"]["name"] for r in await replica_records(api, dep_id)] == [model_name]
    assert (await api.get(MODEL, ns, model_name) or {}).get("metadata", {}).get("uid") == uid

    async def target_stored_again() -> bool | None:
        return True if await stored_endpoints(k8s_server, dep_id) == target else None

    await wait_for("the same target stored after the restart", target_stored_again, within=WITHIN)

    # Stop: the Model, its Secret and the record go.
    r = await blocking(tenant.api.post, f"{MODELS}/{name}/stop")
    assert r.status_code == 200, r.text

    async def gone() -> bool | None:
        left = [await api.get(MODEL, ns, model_name), await api.get(SECRET, ns, f"{model_name}-hf"),
                *await replica_records(api, dep_id)]
        return True if not any(left) else None

    await wait_for("the Model, its Secret and its record to be deleted", gone, within=WITHIN)
    await wait_deployment(tenant, name, "stopped", lambda d: d["status"] == "stopped")
    assert engine_children(k8s_server.proc.pid) == []
    assert TOKEN not in k8s_server.log()
