"""The OpenAI request bodies the development engine accepts, checked into typed requests. Bad input
raises `EngineError` (400, OpenAI's error shape, `param` naming the field). Parameters the engine does
not use (top_p, tools, logprobs, user, ...) are accepted and ignored, as vLLM does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
DEFAULT_MAX_TOKENS = 256
MAX_TOKENS_LIMIT = 32_768
MAX_N = 16
MAX_STOP = 4
MAX_INPUTS = 2048


class EngineError(Exception):
    def __init__(
        self, status: int, message: str, *, param: str | None = None, type_: str = "invalid_request_error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.type = type_
        self.code = code

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def _bad(param: str, message: str) -> EngineError:
    return EngineError(400, f"{param}: {message}", param=param)


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    max_tokens: int
    n: int
    stream: bool
    include_usage: bool
    stop: list[str]
    seed: int | None
    temperature: float


@dataclass(frozen=True)
class EmbeddingRequest:
    model: str
    inputs: list[str | list[int]]  # text, or token ids to decode
    base64: bool
    dimensions: int | None


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise EngineError(400, "the request body must be a JSON object")
    return body


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise _bad("model", "a model name (string) is required")
    return model


def _int(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(name, f"must be an integer from {low} to {high}")
    return value


def _bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _bad(name, "must be a boolean")
    return value


def _messages(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise _bad("messages", "must be a non-empty array of messages")
    for i, message in enumerate(value):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise _bad(where, "must be an object")
        if message.get("role") not in ROLES:
            raise _bad(f"{where}.role", f"must be one of {', '.join(sorted(ROLES))}")
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                    raise _bad(f"{where}.content[{j}]", "must be an object with a type")
                if part["type"] == "text" and not isinstance(part.get("text"), str):
                    raise _bad(f"{where}.content[{j}].text", "a text part needs a string text")
        elif content is None:
            if message["role"] != "assistant":
                raise _bad(f"{where}.content", "is required")
        elif not isinstance(content, str):
            raise _bad(f"{where}.content", "must be a string or an array of content parts")
    return value


def _stop(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and len(value) <= MAX_STOP and all(isinstance(s, str) for s in value):
        return list(value)
    raise _bad("stop", f"must be a string or an array of at most {MAX_STOP} strings")


def chat_request(raw: Any) -> ChatRequest:
    body = _object(raw)
    model = _model(body)
    messages = _messages(body.get("messages"))
    max_tokens = _int(body, "max_completion_tokens", 1, MAX_TOKENS_LIMIT)
    if max_tokens is None:
        max_tokens = _int(body, "max_tokens", 1, MAX_TOKENS_LIMIT)
    stream = _bool(body, "stream")
    options = body.get("stream_options")
    include_usage = False
    if options is not None:
        if not stream:
            raise _bad("stream_options", "is only allowed when stream is true")
        if not isinstance(options, dict):
            raise _bad("stream_options", "must be an object")
        include_usage = _bool(options, "include_usage")
    temperature = body.get("temperature")
    if temperature is None:
        temperature = 1.0
    if isinstance(temperature, bool) or not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
        raise _bad("temperature", "must be a number from 0 to 2")
    return ChatRequest(
        model=model,
        messages=messages,
        max_tokens=max_tokens or DEFAULT_MAX_TOKENS,
        n=_int(body, "n", 1, MAX_N) or 1,
        stream=stream,
        include_usage=include_usage,
        stop=_stop(body.get("stop")),
        seed=_int(body, "seed", -(2**63), 2**64 - 1),
        temperature=float(temperature),
    )


def _input_item(value: Any, where: str) -> str | list[int]:
    if isinstance(value, str):
        if not value:
            raise _bad(where, "must not be empty")
        return value
    if isinstance(value, list) and value and all(isinstance(t, int) and not isinstance(t, bool) for t in value):
        return value
    raise _bad(where, "must be a non-empty string or a non-empty array of token ids")


def embedding_request(raw: Any, max_dimension: int) -> EmbeddingRequest:
    body = _object(raw)
    model = _model(body)
    value = body.get("input")
    if isinstance(value, str) or (isinstance(value, list) and value and isinstance(value[0], int)):
        inputs = [_input_item(value, "input")]
    elif isinstance(value, list) and value:
        if len(value) > MAX_INPUTS:
            raise _bad("input", f"at most {MAX_INPUTS} inputs per request")
        inputs = [_input_item(item, f"input[{i}]") for i, item in enumerate(value)]
    else:
        raise _bad("input", "must be a non-empty string, an array of strings or an array of token ids")
    fmt = body.get("encoding_format")
    if fmt not in (None, "float", "base64"):
        raise _bad("encoding_format", "must be float or base64")
    return EmbeddingRequest(
        model=model, inputs=inputs, base64=fmt == "base64", dimensions=_int(body, "dimensions", 1, max_dimension)
    )
