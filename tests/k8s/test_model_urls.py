"""A model replica's KubeAI ``Model.spec.url`` is written the way the deployment's engine reads it.

KubeAI's ModelSpec (``url``): the VLLM, FasterWhisper and Infinity engines load ``hf://<repo>/<model>``
(or ``pvc://``, ``s3://`` ...), the OLlama engine pulls ``ollama://<model>``. A deployment names a
Hugging Face id, which Ollama pulls as ``hf.co/<owner>/<name>``. Each rendered Model passes the API
server's server-side dry run against the pinned CRD with every field kept; what an engine cannot be
given (SGLang: no KubeAI engine; Ollama: an id without its owner, or a Hugging Face token) is refused
with the reason, never rendered as something else.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from kubernetes_asyncio import client

from icgpu.provisioning.details import ModelReplicaDetails, WorkloadRefused
from icgpu.provisioning.kubernetes.kinds import Manifest
from icgpu.provisioning.kubernetes.model_replica import ENGINES, MODEL
from icgpu.provisioning.kubernetes.registry import RENDERERS
from tests.k8s.test_dry_run import SPECS, Api, assert_kept, context

pytestmark = pytest.mark.db_independent  # runs once, in the SQLite run

# KubeAI's engine -> the URL scheme it reads a model from (KubeAI's ModelSpec.url documentation).
SCHEMES = {"VLLM": "hf://", "OLlama": "ollama://"}


def model_of(namespace: str, details: ModelReplicaDetails) -> Manifest:
    spec = replace(SPECS["model-replica"], details=details)
    manifests = RENDERERS[spec.kind].render(spec, context(spec, namespace))
    return next(m for m in manifests if m["kind"] == "Model")


@pytest.fixture
def api(kube: client.ApiClient) -> Api:
    return Api(kube)


@pytest.mark.parametrize(("details", "url", "engine"), [
    (ModelReplicaDetails("Qwen/Qwen2.5-0.5B-Instruct", "vllm"), "hf://Qwen/Qwen2.5-0.5B-Instruct", "VLLM"),
    (ModelReplicaDetails("meta-llama/Llama-3.1-8B-Instruct", "vllm", hf_token="hf_made_up"),
     "hf://meta-llama/Llama-3.1-8B-Instruct", "VLLM"),
    (ModelReplicaDetails("bartowski/Llama-3.2-1B-Instruct-GGUF", "ollama"),
     "ollama://hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF", "OLlama"),
    (ModelReplicaDetails("nomic-ai/nomic-embed-text-v1.5-GGUF", "ollama", "embedding"),
     "ollama://hf.co/nomic-ai/nomic-embed-text-v1.5-GGUF", "OLlama"),
])
async def test_each_engine_gets_the_url_it_reads_and_the_crd_keeps_it(
        api: Api, namespace: str, details: ModelReplicaDetails, url: str, engine: str) -> None:
    model = model_of(namespace, details)
    assert (model["spec"]["url"], model["spec"]["engine"]) == (url, engine)
    assert model["spec"]["url"].startswith(SCHEMES[engine])
    stored = await api.apply_strict(model, dry_run=True)
    assert_kept(model, stored, "Model")
    assert await api.get(MODEL, namespace, model["metadata"]["name"]) is None  # a dry run stores nothing


def test_every_engine_the_provisioner_serves_has_its_scheme() -> None:
    """A new engine in model_replica.ENGINES must say which scheme KubeAI reads for it."""
    for name, engine in ENGINES.items():
        details = ModelReplicaDetails("org/model", name)
        assert engine.url(details).startswith(SCHEMES[engine.name]), name


@pytest.mark.parametrize(("details", "expected"), [
    (ModelReplicaDetails("Qwen/Qwen2.5-0.5B-Instruct", "sglang"), "KubeAI, which has no engine for 'sglang'"),
    (ModelReplicaDetails("gpt2", "ollama"), "'gpt2' names no owner"),
    (ModelReplicaDetails("bartowski/Llama-3.2-1B-Instruct-GGUF", "ollama", hf_token="hf_made_up"),
     "not a Hugging Face token"),
])
def test_what_an_engine_cannot_be_given_is_refused_with_the_reason(details: ModelReplicaDetails,
                                                                    expected: str) -> None:
    with pytest.raises(WorkloadRefused, match=expected):
        model_of("ns", details)
