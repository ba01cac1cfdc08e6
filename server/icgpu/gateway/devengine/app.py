"""The development engine's HTTP surface: a plain ASGI app (no framework, so the process starts fast)
with OpenAI's routes and shapes, plus `/health` and `/stats`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from icgpu.gateway import tokenizer
from icgpu.gateway.devengine import embeddings, engine, protocol
from icgpu.gateway.devengine.protocol import EngineError

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

OWNED_BY = "icgpu-devengine"
MAX_BODY_BYTES = 8 * 1024 * 1024
# Work above these sizes runs in a thread, so /health keeps answering while a long reply is generated.
_THREAD_ABOVE_TOKENS = 2048
_THREAD_ABOVE_INPUTS = 16
_JSON = [(b"content-type", b"application/json")]
_SSE = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]


class DropConnection(Exception):
    """Raised mid-stream by --fail-after-chunks: the server closes the connection without ending the
    response, as an engine that crashed would."""


@dataclass
class Options:
    model: str
    kind: str = "chat"  # "chat" | "embedding"
    chunk_delay: float = 0.0  # seconds between streamed chunks
    fail_after_chunks: int | None = None  # streams drop the connection after this many chunks
    api_key: str | None = None  # when set, requests need "Authorization: Bearer <api_key>"
    started: int = field(default_factory=lambda: int(time.time()))


@dataclass
class Stats:
    requests: int = 0
    chat_completions: int = 0
    embeddings: int = 0
    streams_started: int = 0
    streams_completed: int = 0
    streams_disconnected: int = 0  # the client went away before the end: generation stopped
    streams_dropped: int = 0  # --fail-after-chunks cut the connection


class DevEngineApp:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.stats = Stats()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.stats.requests += 1
        try:
            await self._route(scope, receive, send)
        except EngineError as exc:
            await _respond(send, exc.status, exc.body())

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"].rstrip("/") or "/"
        if path == "/health":
            _allow(method, "GET")
            await _respond(send, 200, {"status": "ok", "model": self.options.model, "kind": self.options.kind})
            return
        if path == "/stats":
            _allow(method, "GET")
            await _respond(send, 200, self.stats.__dict__)
            return
        if not path.startswith("/v1/"):
            raise EngineError(404, f"no route {path}", type_="not_found_error")
        self._authorize(scope)
        if path == "/v1/models":
            _allow(method, "GET")
            await _respond(send, 200, {"object": "list", "data": [self._model_card()]})
        elif path.startswith("/v1/models/"):
            _allow(method, "GET")
            if path.removeprefix("/v1/models/") != self.options.model:
                raise self._unknown_model(path.removeprefix("/v1/models/"))
            await _respond(send, 200, self._model_card())
        elif path == "/v1/chat/completions":
            _allow(method, "POST")
            await self._chat(protocol.chat_request(await _json_body(receive)), receive, send)
        elif path == "/v1/embeddings":
            _allow(method, "POST")
            request = protocol.embedding_request(await _json_body(receive), embeddings.DIMENSION)
            self._check_model(request.model, "embedding")
            self.stats.embeddings += 1
            if len(request.inputs) > _THREAD_ABOVE_INPUTS:
                reply = await asyncio.to_thread(engine.embed, request, self.options.model)
            else:
                reply = engine.embed(request, self.options.model)
            await _respond(send, 200, reply)
        else:
            raise EngineError(404, f"no route {path}", type_="not_found_error")

    def _authorize(self, scope: Scope) -> None:
        if self.options.api_key is None:
            return
        headers = dict(scope["headers"])
        if headers.get(b"authorization", b"") != f"Bearer {self.options.api_key}".encode():
            raise EngineError(401, "a valid API key is required", type_="authentication_error", code="invalid_api_key")

    def _model_card(self) -> dict[str, Any]:
        return {"id": self.options.model, "object": "model", "created": self.options.started, "owned_by": OWNED_BY}

    def _unknown_model(self, name: str) -> EngineError:
        return EngineError(
            404, f"The model `{name}` does not exist; this engine serves `{self.options.model}`.",
            param="model", type_="not_found_error", code="model_not_found",
        )

    def _check_model(self, name: str, kind: str) -> None:
        if name != self.options.model:
            raise self._unknown_model(name)
        if kind != self.options.kind:
            route = "chat completions" if kind == "chat" else "embeddings"
            raise EngineError(
                400, f"model `{name}` is a {self.options.kind} model; it does not serve {route}", param="model"
            )

    async def _chat(self, request: protocol.ChatRequest, receive: Receive, send: Send) -> None:
        self._check_model(request.model, "chat")
        self.stats.chat_completions += 1
        if request.max_tokens * request.n > _THREAD_ABOVE_TOKENS:
            result = await asyncio.to_thread(engine.chat, request)
        else:
            result = engine.chat(request)
        completion_id = "chatcmpl-" + secrets.token_hex(12)
        created = int(time.time())
        if not request.stream:
            await _respond(send, 200, {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": request.model,
                "system_fingerprint": OWNED_BY,
                "choices": [
                    {
                        "index": i,
                        "message": {"role": "assistant", "content": c.text},
                        "logprobs": None,
                        "finish_reason": c.finish_reason,
                    }
                    for i, c in enumerate(result.choices)
                ],
                "usage": result.usage(),
            })
            return
        await _Stream(self, send, receive, completion_id, created, request, result).run()


class _Stream:
    """One streamed completion: role delta, one content delta per token, the finish chunk, the usage
    chunk when asked, then [DONE]; paced by --chunk-delay-ms, cut by --fail-after-chunks."""

    def __init__(
        self, app: DevEngineApp, send: Send, receive: Receive, completion_id: str, created: int,
        request: protocol.ChatRequest, result: engine.ChatResult,
    ) -> None:
        self.app, self.send, self.receive = app, send, receive
        self.request, self.result = request, result
        self.base = {
            "id": completion_id, "object": "chat.completion.chunk", "created": created, "model": request.model,
            "system_fingerprint": OWNED_BY,
        }
        self.sent = 0
        self.disconnected = asyncio.Event()

    def _chunk(self, choices: list[dict[str, Any]], usage: dict[str, int] | None = None) -> bytes:
        body = {**self.base, "choices": choices}
        if self.request.include_usage:
            body["usage"] = usage
        return b"data: " + _dumps(body) + b"\n\n"

    async def _emit(self, data: bytes) -> None:
        options = self.app.options
        if self.sent and options.chunk_delay:
            await asyncio.sleep(options.chunk_delay)
        if options.fail_after_chunks is not None and self.sent >= options.fail_after_chunks:
            self.app.stats.streams_dropped += 1
            raise DropConnection
        if self.disconnected.is_set():
            raise _ClientGone
        await self.send({"type": "http.response.body", "body": data, "more_body": True})
        self.sent += 1

    async def _watch_disconnect(self) -> None:
        while (await self.receive())["type"] != "http.disconnect":
            continue  # a body part after the request was read: ignored
        self.disconnected.set()

    async def run(self) -> None:
        stats = self.app.stats
        stats.streams_started += 1
        await self.send({"type": "http.response.start", "status": 200, "headers": _SSE})
        watcher = asyncio.create_task(self._watch_disconnect())
        try:
            for i, choice in enumerate(self.result.choices):
                delta = {"role": "assistant", "content": ""}
                await self._emit(self._chunk([{"index": i, "delta": delta, "logprobs": None, "finish_reason": None}]))
                for piece in tokenizer.iter_decode(choice.token_ids):
                    part = {"index": i, "delta": {"content": piece}, "logprobs": None, "finish_reason": None}
                    await self._emit(self._chunk([part]))
                final = {"index": i, "delta": {}, "logprobs": None, "finish_reason": choice.finish_reason}
                await self._emit(self._chunk([final]))
            if self.request.include_usage:
                await self._emit(self._chunk([], self.result.usage()))
            await self._emit(b"data: [DONE]\n\n")
            await self.send({"type": "http.response.body", "body": b"", "more_body": False})
            stats.streams_completed += 1
        except _ClientGone:
            stats.streams_disconnected += 1
        finally:
            watcher.cancel()


class _ClientGone(Exception):
    """The client disconnected while a stream was being written."""


def _allow(method: str, allowed: str) -> None:
    if method != allowed:
        raise EngineError(405, f"method {method} not allowed; use {allowed}")


async def _json_body(receive: Receive) -> Any:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise EngineError(400, "the client went away while sending the body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise EngineError(413, f"the request body exceeds {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    raw = b"".join(chunks)
    with contextlib.suppress(orjson.JSONDecodeError):
        return orjson.loads(raw)
    try:  # the standard parser also takes escaped lone surrogates ("\ud800"), as OpenAI does
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise EngineError(400, f"the request body is not valid JSON: {exc}") from None


async def _respond(send: Send, status: int, body: Any) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _JSON})
    await send({"type": "http.response.body", "body": _dumps(body)})


def _dumps(body: Any) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:  # a lone surrogate the caller sent (in a model name): escaped by the standard encoder
        return json.dumps(body, separators=(",", ":")).encode("ascii")
