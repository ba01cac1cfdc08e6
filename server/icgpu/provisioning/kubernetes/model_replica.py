"""A model replica as a KubeAI ``Model`` (kubeai.org/v1) serving one replica.

The platform's model scaler decides how many replicas a deployment has and asks for each as a
workload (``<deployment id>.r<index>-<serial>``), so each becomes a Model of exactly one replica with
KubeAI's autoscaling off (``minReplicas = maxReplicas = replicas = 1``, ``autoscalingDisabled``):
two autoscalers would fight. The resource profile is the project's profile of the spec's tier
(``nvidia-gpu-<tier>``, services/model_catalogue.py) with a count of 1.

``WorkloadSpec`` carries neither the deployment's model nor its engine: a ``ModelServing`` gives them,
from a lookup the provisioner may pass (by the deployment id of the workload id); without one, the
Model is rendered as a vLLM text-generation model whose URL names the deployment
(``hf://icgpu/<deployment id>``), a placeholder. KubeAI has no SGLang engine: ``engine_for`` says so.

The phase comes from ``status.replicas`` as KubeAI's controller writes it: a ready replica is
running; one that exists but is not ready is starting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from icgpu.provisioning.base import Observation, Phase, WorkloadKind, WorkloadSpec
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType, RenderContext
from icgpu.provisioning.kubernetes.workload_pods import metadata
from icgpu.services.model_catalogue import RESOURCE_PROFILES

MODEL = ObjectType("kubeai.org", "v1", "models", "Model")
MAX_NAME_LENGTH = 40  # KubeAI's CRD: the controller derives other objects' names from it
# The project's engine names -> KubeAI's (its CRD's enum: OLlama, VLLM, FasterWhisper, Infinity).
ENGINES = {"vllm": "VLLM", "ollama": "OLlama"}
FEATURES = {"chat": "TextGeneration", "embedding": "TextEmbedding"}


@dataclass(frozen=True)
class ModelServing:
    """What a Model serves: the deployment's model URL (hf://org/model), engine and kind."""

    url: str
    engine: str = "vllm"  # the project's name: vllm | ollama (sglang has no KubeAI engine)
    kind: str = "chat"  # chat | embedding
    env: dict[str, str] = field(default_factory=dict)


def deployment_of(workload_id: str) -> str:
    """The deployment id of a replica workload ``<deployment id>.r<index>-<serial>``."""
    deployment, dot, replica = workload_id.partition(".")
    if not dot or not replica.startswith("r"):
        raise ValueError(f"not a model replica workload id: {workload_id!r}")
    return deployment


def placeholder_serving(spec: WorkloadSpec) -> ModelServing:
    return ModelServing(url=f"hf://icgpu/{deployment_of(spec.instance_id)}")


def engine_for(engine: str) -> str:
    try:
        return ENGINES[engine]
    except KeyError:
        raise ValueError(f"KubeAI has no engine for {engine!r} (it serves {', '.join(ENGINES)})") from None


def resource_profile(tier: str) -> str:
    """KubeAI's ``<profile>:<count>`` for one GPU of `tier`, with the project's profile names."""
    profile = next((name for name, t in RESOURCE_PROFILES.items() if t == tier), None)
    if profile is None:
        raise ValueError(f"no resource profile has GPU tier {tier!r}")
    return f"{profile}:1"


class ModelReplicaRenderer:
    kind = WorkloadKind.MODEL_REPLICA
    status_type = MODEL

    def __init__(self, serving: Callable[[WorkloadSpec], ModelServing] = placeholder_serving) -> None:
        self.serving = serving

    def render(self, spec: WorkloadSpec, ctx: RenderContext) -> list[Manifest]:
        if len(ctx.name) > MAX_NAME_LENGTH:
            raise ValueError(f"a KubeAI Model's name has at most {MAX_NAME_LENGTH} characters: {ctx.name!r}")
        serving = self.serving(spec)
        model_spec: Manifest = {
            "url": serving.url,
            "engine": engine_for(serving.engine),
            "features": [FEATURES[serving.kind]],
            "resourceProfile": resource_profile(spec.tier),
            "replicas": 1,
            "minReplicas": 1,
            "maxReplicas": 1,
            "autoscalingDisabled": True,
        }
        if serving.env:
            model_spec["env"] = dict(serving.env)
        return [{"apiVersion": MODEL.api_version, "kind": MODEL.kind, "metadata": metadata(ctx), "spec": model_spec}]

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
