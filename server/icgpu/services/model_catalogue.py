"""The platform's model catalogue: pre-tested models anyone with the ``models`` scope may call by
alias (``llama-3-8b``), each served by a shared, platform-owned deployment that scales from zero
(services/model_routing.py). Static: the operator changes it with the code, and maps an alias to
an external engine with the ``model_upstreams`` setting (docs/models.md).

Resource profiles name where a replica runs; each maps to a GPU tier of the shared inventory (one
slot per replica), or to none (``cpu``).
"""

from __future__ import annotations

from dataclasses import dataclass

from icgpu.auth.principal import Principal
from icgpu.settings import Settings

KINDS = ("chat", "embedding")
ENGINES = ("vllm", "sglang", "ollama")

# resource profile -> GPU tier of the local inventory (None: no GPU slot is held)
RESOURCE_PROFILES: dict[str, str | None] = {
    "nvidia-gpu-dedicated": "dedicated",
    "nvidia-gpu-mig": "mig",
    "nvidia-gpu-timesliced": "timesliced",
    "cpu": None,
}


@dataclass(frozen=True)
class CatalogueEntry:
    alias: str
    huggingface_id: str
    engine: str
    resource_profile: str
    context_length: int
    token_multiplier: float
    kind: str
    max_replicas: int = 2
    description: str = ""

    @property
    def gpu_tier(self) -> str | None:
        return RESOURCE_PROFILES[self.resource_profile]


CATALOGUE: dict[str, CatalogueEntry] = {
    e.alias: e
    for e in (
        CatalogueEntry("llama-3-8b", "meta-llama/Meta-Llama-3-8B-Instruct", "vllm", "nvidia-gpu-dedicated",
                       8192, 1.0, "chat", description="Llama 3 8B Instruct: general chat"),
        CatalogueEntry("llama-3.1-8b", "meta-llama/Llama-3.1-8B-Instruct", "vllm", "nvidia-gpu-dedicated",
                       131072, 1.0, "chat", description="Llama 3.1 8B Instruct: long context chat"),
        CatalogueEntry("mistral-7b", "mistralai/Mistral-7B-Instruct-v0.3", "vllm", "nvidia-gpu-mig",
                       32768, 0.8, "chat", description="Mistral 7B Instruct v0.3"),
        CatalogueEntry("qwen2.5-7b", "Qwen/Qwen2.5-7B-Instruct", "sglang", "nvidia-gpu-dedicated",
                       32768, 1.0, "chat", description="Qwen 2.5 7B Instruct"),
        CatalogueEntry("llama-3-70b", "meta-llama/Meta-Llama-3-70B-Instruct", "vllm", "nvidia-gpu-dedicated",
                       8192, 4.0, "chat", description="Llama 3 70B Instruct: the largest model"),
        CatalogueEntry("bge-large-en-v1.5", "BAAI/bge-large-en-v1.5", "vllm", "nvidia-gpu-timesliced",
                       512, 0.1, "embedding", description="BGE large English v1.5: 1024-dim embeddings"),
        CatalogueEntry("nomic-embed-text", "nomic-ai/nomic-embed-text-v1.5", "ollama", "cpu",
                       8192, 0.05, "embedding", description="Nomic Embed Text v1.5 on CPU"),
    )
}


def entry(alias: str) -> CatalogueEntry | None:
    return CATALOGUE.get(alias)


def by_huggingface_id(model: str) -> CatalogueEntry | None:
    """The catalogue's entry for a Hugging Face id (its kind, context length and multiplier)."""
    for e in CATALOGUE.values():
        if e.huggingface_id == model:
            return e
    return None


def entries() -> list[CatalogueEntry]:
    return list(CATALOGUE.values())


def listing(principal: Principal) -> list[CatalogueEntry]:
    """The catalogue as ``GET /api/v1/model-catalogue`` and GraphQL ``modelCatalogue`` show it
    (the ``models`` scope with read)."""
    principal.require("models", "read")
    return entries()


def external_upstream(settings: Settings, *, alias: str | None, model: str) -> str | None:
    """The operator's external base URL (``model_upstreams``) for a catalogue alias or a Hugging
    Face id, if any."""
    mapping = settings.model_upstreams
    url = (mapping.get(alias) if alias else None) or mapping.get(model)
    return url.rstrip("/") if url else None
