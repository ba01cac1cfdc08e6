"""What the development engine answers, independent of HTTP: chat completions from the n-gram model
and embeddings, with usage counted by the project's tokenizer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from icgpu.gateway import tokenizer
from icgpu.gateway.devengine import embeddings, textgen
from icgpu.gateway.devengine.protocol import ChatRequest, EmbeddingRequest, EngineError


@dataclass(frozen=True)
class ChatResult:
    choices: list[textgen.Completion]
    prompt_tokens: int

    @property
    def completion_tokens(self) -> int:
        return sum(len(c.token_ids) for c in self.choices)

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


def _prompt_text(messages: list[dict[str, Any]]) -> str:
    """The text the reply follows: the last user message's text (else the last message's)."""
    chosen = next((m for m in reversed(messages) if m.get("role") == "user"), messages[-1])
    content = chosen.get("content")
    if isinstance(content, list):
        return " ".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return content if isinstance(content, str) else ""


def request_seed(request: ChatRequest, choice: int) -> int:
    """Seeds the sampler from everything that shapes the reply, so the same request gives the same
    text, and choices of one request differ."""
    key = json.dumps(
        [request.model, request.messages, request.seed, request.temperature, choice],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return int.from_bytes(hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()[:8], "big")


def chat(request: ChatRequest) -> ChatResult:
    model = textgen.model()
    prompt = _prompt_text(request.messages)
    choices = [
        model.generate(
            prompt, seed=request_seed(request, i), max_tokens=request.max_tokens,
            temperature=request.temperature, stop=request.stop,
        )
        for i in range(request.n)
    ]
    return ChatResult(choices=choices, prompt_tokens=tokenizer.count_chat_tokens(request.messages))


def embed(request: EmbeddingRequest, model_name: str) -> dict[str, Any]:
    data = []
    prompt_tokens = 0
    vocab = tokenizer.vocab_size()
    for i, item in enumerate(request.inputs):
        if isinstance(item, list):
            if not all(0 <= t < vocab for t in item):
                raise EngineError(400, f"input[{i}]: token ids must be from 0 to {vocab - 1}", param="input")
            text = tokenizer.decode(item)
            prompt_tokens += len(item)
        else:
            text = item
            prompt_tokens += tokenizer.count_tokens(text)
        vector = embeddings.embed(text, request.dimensions or embeddings.DIMENSION)
        data.append({
            "object": "embedding",
            "index": i,
            "embedding": embeddings.to_base64(vector) if request.base64 else vector,
        })
    return {
        "object": "list",
        "data": data,
        "model": model_name,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    }
