"""A model replica as a KubeAI ``Model`` (kubeai.org/v1) serving one replica.

The platform's model scaler decides how many replicas a deployment has and asks for each as a
workload (``<deployment id>.r<index>-<serial>``), so each becomes a Model of exactly one replica with
KubeAI's autoscaling off (``minReplicas = maxReplicas = replicas = 1``, ``autoscalingDisabled``):
two autoscalers would fight. The resource profile is the project's profile of the spec's tier
(``nvidia-gpu-<tier>``, services/model_catalogue.py) with a count of 1.

The deployment's Hugging Face model, engine and kind (chat: TextGeneration, embedding: TextEmbedding)
come from the spec's ``ModelReplicaDetails``. ``spec.url`` is written as KubeAI's engine reads it
(``model_url``): vLLM loads ``hf://<org>/<name>``; Ollama pulls ``ollama://<model>``, and a Hugging Face
model is ``hf.co/<org>/<name>`` to Ollama, so ``ollama://hf.co/<org>/<name>``. What an engine cannot be
given is refused when rendered (``WorkloadRefused``; the model scaler puts the reason in the
deployment's status), as is a spec without details: KubeAI has no SGLang engine; Ollama pulls a Hugging
Face model only by owner and name, and with its own key, never the deployment's Hugging Face token.

The deployment's Hugging Face token (vLLM only) goes in a Secret of the replica's own (``<name>-hf``,
key ``HF_TOKEN``, the variable vLLM and the Hugging Face libraries read), applied before the Model and
owned, like it, by the workload's record;
the Model names it in ``spec.envFrom`` (KubeAI's ``[]EnvFromSource``, added to the server process's
environment), so the token is never in the Model.

KubeAI serves the Model: calls go to its OpenAI-compatible endpoint with ``model`` set to the Model's
name (``KubernetesProvisioner.model_endpoint``); no process runs on the server's host.

The phase comes from ``status.replicas`` as KubeAI's controller writes it: a ready replica is
running; one that exists but is not ready is starting.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.details import ModelReplicaDetails, WorkloadRefused, require
from icgpu.provisioning.kubernetes.function_run import SECRET
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.workload_pods import metadata
from icgpu.services.model_catalogue import RESOURCE_PROFILES

MODEL = ObjectType("kubeai.org", "v1", "models", "Model")
HF_TOKEN = "HF_TOKEN"  # the token's key in the Secret, so its name in the engine's environment
MAX_NAME_LENGTH = 40  # KubeAI's CRD: the controller derives other objects' names from it
FEATURES = {"chat": "TextGeneration", "embedding": "TextEmbedding"}


def hf_url(details: ModelReplicaDetails) -> str:
    """vLLM's (and KubeAI's other Hugging Face engines') form: ``hf://<org>/<name>``."""
    return f"hf://{details.model}"


def ollama_url(details: ModelReplicaDetails) -> str:
    """Ollama's form, ``ollama://<model>``, where a Hugging Face model is ``hf.co/<org>/<name>``. Ollama
    cannot pull a Hugging Face id without its owner, nor with the deployment's token (it signs its pulls
    with a key of its own), so neither is rendered as something else: both are refused."""
    if "/" not in details.model:
        raise WorkloadRefused(f"Ollama pulls a Hugging Face model as hf.co/<owner>/<name>: {details.model!r} "
                              "names no owner")
    if details.hf_token:
        raise WorkloadRefused("Ollama pulls Hugging Face models with its own key, not a Hugging Face token: "
                              "deploy without huggingfaceToken (a public model), or with engine vllm")
    return f"ollama://hf.co/{details.model}"


@dataclass(frozen=True)
class Engine:
    """A KubeAI engine: its name (the CRD's enum: OLlama, VLLM, FasterWhisper, Infinity) and the
    ``spec.url`` it reads a deployment's model from."""

    name: str
    url: Callable[[ModelReplicaDetails], str]


# The project's engine names -> KubeAI's.
ENGINES = {"vllm": Engine("VLLM", hf_url), "ollama": Engine("OLlama", ollama_url)}


def engine_for(engine: str) -> Engine:
    try:
        return ENGINES[engine]
    except KeyError:
        raise WorkloadRefused(f"the Kubernetes provisioner serves models with KubeAI, which has no engine for "
                              f"{engine!r} (it serves {', '.join(ENGINES)})") from None


def model_url(details: ModelReplicaDetails) -> str:
    """The Model's ``spec.url`` for the deployment's engine (refused where the engine cannot take it)."""
    return engine_for(details.engine).url(details)


def features_for(kind: str) -> list[str]:
    try:
        return [FEATURES[kind]]
    except KeyError:
        raise WorkloadRefused(f"no KubeAI feature for a {kind!r} model (known: {', '.join(FEATURES)})") from None


def resource_profile(tier: str) -> str:
    """KubeAI's ``<profile>:<count>`` for one GPU of `tier`, with the project's profile names."""
    profile = next((name for name, t in RESOURCE_PROFILES.items() if t == tier), None)
    if profile is None:
        raise ValueError(f"no resource profile has GPU tier {tier!r}")
    return f"{profile}:1"


def token_secret_name(ctx: RenderContext) -> str:
    return f"{ctx.name}-hf"


def token_secret(token: str, ctx: RenderContext) -> Manifest:
    """The replica's Secret holding the deployment's Hugging Face token as ``HF_TOKEN``."""
    return {"apiVersion": SECRET.api_version, "kind": SECRET.kind, "metadata": metadata(ctx, token_secret_name(ctx)),
            "type": "Opaque", "data": {HF_TOKEN: base64.b64encode(token.encode()).decode()}}


class ModelReplicaRenderer:
    kind = WorkloadKind.MODEL_REPLICA
    status_type = MODEL

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        if len(ctx.name) > MAX_NAME_LENGTH:
            raise ValueError(f"a KubeAI Model's name has at most {MAX_NAME_LENGTH} characters: {ctx.name!r}")
        details = require(spec.details, ModelReplicaDetails, spec.instance_id)
        model_spec: Manifest = {
            "url": model_url(details),
            "engine": engine_for(details.engine).name,
            "features": features_for(details.kind),
            "resourceProfile": resource_profile(spec.tier),
            "replicas": 1,
            "minReplicas": 1,
            "maxReplicas": 1,
            "autoscalingDisabled": True,
        }
        model: Manifest = {"apiVersion": MODEL.api_version, "kind": MODEL.kind, "metadata": metadata(ctx),
                           "spec": model_spec}
        if not details.hf_token:
            return [model]
        model_spec["envFrom"] = [{"secretRef": {"name": token_secret_name(ctx)}}]
        return [token_secret(details.hf_token, ctx), model]  # the Secret first: the Model's pods read it

    def observe(self, status_object: Manifest | None, ctx: RenderContext) -> Observation:
        if status_object is None:
            return Observation(Phase.ABSENT)
        if (status_object.get("metadata") or {}).get("deletionTimestamp"):
            return Observation(Phase.TERMINATING)
        replicas = (status_object.get("status") or {}).get("replicas") or {}
        ready, total = int(replicas.get("ready", 0)), int(replicas.get("all", 0))
        if ready >= 1:
            return Observation(Phase.RUNNING)
        return Observation(Phase.STARTING, reason=f"{total} replica(s), none ready" if total else
                           "waiting for KubeAI to create the replica")
