"""The /v1 request bodies, checked: what the gateway itself needs to know about a call (the model,
the prompt, the most it may produce, streaming), each refused with a 400 ValidationException naming
the field. Every other OpenAI parameter (temperature, top_p, stop, seed, tools, ...) is left in the
body untouched and sent upstream as the caller wrote it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from icgpu.errors import ValidationError

ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
ENCODING_FORMATS = ("float", "base64")
MAX_MESSAGES = 10_000
MAX_INPUTS = 2048
MAX_N = 16


@dataclass(frozen=True)
class ChatCall:
    model: str
    messages: list[dict[str, Any]]
    max_tokens: int | None  # the caller's bound on completion tokens per choice (None: none given)
    n: int
    stream: bool
    include_usage: bool  # the caller asked for the final usage chunk (stream_options.include_usage)
    body: dict[str, Any]  # the caller's body, passed upstream


@dataclass(frozen=True)
class EmbeddingCall:
    model: str
    inputs: list[str]
    body: dict[str, Any]


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", field=field)


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if model is None:
        raise _bad("model", "is required (the name of a deployment or a catalogue model)")
    if not isinstance(model, str) or not model.strip():
        raise _bad("model", "must be a non-empty string")
    if len(model) > 256:
        raise _bad("model", "must be at most 256 characters")
    return model


def _positive_int(body: dict[str, Any], field: str, *, upper: int | None = None) -> int | None:
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(field, "must be an integer")
    if value < 1:
        raise _bad(field, "must be at least 1")
    if upper is not None and value > upper:
        raise _bad(field, f"must be at most {upper}")
    return value


def _flag(body: dict[str, Any], field: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _bad(field, "must be true or false")
    return value


def _content(message: dict[str, Any], where: str) -> None:
    content = message.get("content")
    if content is None:
        if message.get("role") == "assistant" and (message.get("tool_calls") or message.get("function_call")):
            return
        raise _bad(f"{where}.content", "is required")
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _bad(f"{where}.content", "must be a string or a list of content parts")
    for j, part in enumerate(content):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise _bad(f"{where}.content.{j}", "must be an object with a 'type'")
        if part["type"] == "text" and not isinstance(part.get("text"), str):
            raise _bad(f"{where}.content.{j}.text", "must be a string")


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages = body.get("messages")
    if messages is None:
        raise _bad("messages", "is required (a list of {role, content} objects)")
    if not isinstance(messages, list) or not messages:
        raise _bad("messages", "must be a non-empty list of {role, content} objects")
    if len(messages) > MAX_MESSAGES:
        raise _bad("messages", f"must hold at most {MAX_MESSAGES} messages")
    for i, message in enumerate(messages):
        where = f"messages.{i}"
        if not isinstance(message, dict):
            raise _bad(where, "must be an object {role, content}")
        role = message.get("role")
        if role not in ROLES:
            raise _bad(f"{where}.role", f"must be one of {', '.join(sorted(ROLES))}")
        _content(message, where)
    return messages


def chat_call(body: dict[str, Any]) -> ChatCall:
    model = _model(body)
    messages = _messages(body)
    max_tokens = _positive_int(body, "max_tokens")
    max_completion = _positive_int(body, "max_completion_tokens")
    if max_tokens is not None and max_completion is not None:
        max_tokens = min(max_tokens, max_completion)
    else:
        max_tokens = max_tokens if max_tokens is not None else max_completion
    n = _positive_int(body, "n", upper=MAX_N) or 1
    stream = _flag(body, "stream", body.get("stream"))
    options = body.get("stream_options")
    include_usage = False
    if options is not None:
        if not isinstance(options, dict):
            raise _bad("stream_options", "must be an object")
        if not stream:
            raise _bad("stream_options", "is only allowed with stream: true")
        include_usage = _flag(options, "stream_options.include_usage", options.get("include_usage"))
    return ChatCall(model, messages, max_tokens, n, stream, include_usage, body)


def embedding_call(body: dict[str, Any]) -> EmbeddingCall:
    model = _model(body)
    raw = body.get("input")
    if raw is None:
        raise _bad("input", "is required (a string or a list of strings)")
    if isinstance(raw, str):
        inputs = [raw]
    elif isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
        inputs = raw
    else:
        raise _bad("input", "must be a string or a non-empty list of strings")
    if len(inputs) > MAX_INPUTS:
        raise _bad("input", f"must hold at most {MAX_INPUTS} strings")
    if any(not text for text in inputs):
        raise _bad("input", "must not hold an empty string")
    fmt = body.get("encoding_format")
    if fmt is not None and fmt not in ENCODING_FORMATS:
        raise _bad("encoding_format", "must be 'float' or 'base64'")
    _positive_int(body, "dimensions")
    return EmbeddingCall(model, inputs, body)
