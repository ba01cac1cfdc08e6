"""client.llm: the OpenAI-compatible /v1 API (chat completions, streaming, embeddings, models)
through the SDK's own HTTP client, retries and exceptions (402 InsufficientTokensError, 502
ServiceUnavailableError with its Retry-After honoured by the retries, ...).

    reply = client.llm.chat("llama-3-8b", [{"role": "user", "content": "Hi"}], max_tokens=64)
    print(reply.text, reply.tokens_used, reply.tokens_remaining)
    for chunk in client.llm.chat_stream("llama-3-8b", [{"role": "user", "content": "Hi"}]):
        print(chunk.get("choices", [{}])[0].get("delta", {}).get("content") or "", end="")

Answers are OpenAI's JSON documents as dicts (``LlmReply.body``); any other OpenAI parameter
(temperature, top_p, stop, seed, tools, ...) is passed as a keyword argument and sent as is.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, cast

import httpx

from .._errors import APIError, from_http_error
from .._retry import delay, retryable
from .._transport import AsyncTransport, SyncTransport, check, transport_error
from ._base import AsyncResource, SyncResource


@dataclass(frozen=True)
class LlmReply:
    """One /v1 answer: the OpenAI JSON body and the metering headers."""

    body: dict[str, Any]
    tokens_used: int | None
    tokens_remaining: int | None
    request_id: str | None

    @property
    def text(self) -> str:
        """The first choice's message content (chat completions)."""
        choices = self.body.get("choices") or [{}]
        return str((choices[0].get("message") or {}).get("content") or "")

    @property
    def embeddings(self) -> list[list[float]]:
        """The vectors, in input order (embeddings asked as floats, the default here)."""
        return [d["embedding"] for d in sorted(self.body.get("data", []), key=lambda d: d["index"])]


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def _reply(response: httpx.Response) -> LlmReply:
    return LlmReply(response.json(), _int(response.headers.get("X-Tokens-Used")),
                    _int(response.headers.get("X-Tokens-Remaining")), response.headers.get("X-Request-Id"))


def chat_body(model: str, messages: list[dict[str, Any]], params: dict[str, Any], *, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": messages, **params}
    if stream:
        body["stream"] = True
    return body


def embeddings_body(model: str, input: str | list[str], params: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "input": input, "encoding_format": "float", **params}


def stream_event(line: str, request_id: str | None) -> dict[str, Any] | None:
    """One SSE line as a chunk; None for anything else; raises the API error a stream reports."""
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    chunk = json.loads(data)
    if isinstance(chunk, dict) and isinstance(chunk.get("error"), dict):
        err = chunk["error"]
        raise from_http_error(502 if err.get("type") == "ServiceUnavailableException" else 500, chunk,
                              request_id=request_id, retry_after=None)
    return chunk if isinstance(chunk, dict) else None


class Llm(SyncResource):
    @property
    def _http(self) -> httpx.Client:
        return cast(SyncTransport, self._gen.http_client).http  # the client's transport (its retries' HTTP client)

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        url = self._config.base_url + path
        attempt = 0
        while True:
            try:
                response = self._http.request(method, url, json=body, headers=self._config.headers())
                error = check(response)
            except httpx.TransportError as exc:
                error = transport_error(exc)
            if error is None:
                return response
            if attempt >= self._config.max_retries or not retryable(error):
                raise error
            time.sleep(delay(attempt, error.retry_after))
            attempt += 1

    def chat(self, model: str, messages: list[dict[str, Any]], **params: Any) -> LlmReply:
        """POST /v1/chat/completions (not streamed)."""
        return _reply(self._send("POST", "/v1/chat/completions", chat_body(model, messages, params, stream=False)))

    def chat_stream(self, model: str, messages: list[dict[str, Any]], **params: Any) -> Iterator[dict[str, Any]]:
        """POST /v1/chat/completions with ``stream: true``: the chunks as they arrive (a refusal
        before the stream starts raises at once; it is not retried: a stream is not replayed)."""
        body = chat_body(model, messages, params, stream=True)
        try:
            with self._http.stream("POST", self._config.base_url + "/v1/chat/completions", json=body,
                                   headers=self._config.headers()) as response:
                request_id = response.headers.get("X-Request-Id")
                if response.status_code != 200:
                    response.read()
                    raise check(response) or APIError(f"HTTP {response.status_code}", status=response.status_code)
                for line in response.iter_lines():
                    chunk = stream_event(line, request_id)
                    if chunk is not None:
                        yield chunk
        except httpx.TransportError as exc:
            raise transport_error(exc) from None

    def embeddings(self, model: str, input: str | list[str], **params: Any) -> LlmReply:
        """POST /v1/embeddings (vectors as floats unless ``encoding_format="base64"``)."""
        return _reply(self._send("POST", "/v1/embeddings", embeddings_body(model, input, params)))

    def models(self) -> list[dict[str, Any]]:
        """GET /v1/models: what this credential may call (``dev_engine`` marks the development engine)."""
        return list(self._send("GET", "/v1/models").json()["data"])


class AsyncLlm(AsyncResource):
    @property
    def _http(self) -> httpx.AsyncClient:
        return cast(AsyncTransport, self._gen.http_client).http

    async def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        url = self._config.base_url + path
        attempt = 0
        while True:
            try:
                response = await self._http.request(method, url, json=body, headers=self._config.headers())
                error = check(response)
            except httpx.TransportError as exc:
                error = transport_error(exc)
            if error is None:
                return response
            if attempt >= self._config.max_retries or not retryable(error):
                raise error
            await asyncio.sleep(delay(attempt, error.retry_after))
            attempt += 1

    async def chat(self, model: str, messages: list[dict[str, Any]], **params: Any) -> LlmReply:
        return _reply(await self._send("POST", "/v1/chat/completions",
                                       chat_body(model, messages, params, stream=False)))

    async def chat_stream(self, model: str, messages: list[dict[str, Any]],
                          **params: Any) -> AsyncIterator[dict[str, Any]]:
        body = chat_body(model, messages, params, stream=True)
        try:
            async with self._http.stream("POST", self._config.base_url + "/v1/chat/completions", json=body,
                                         headers=self._config.headers()) as response:
                request_id = response.headers.get("X-Request-Id")
                if response.status_code != 200:
                    await response.aread()
                    raise check(response) or APIError(f"HTTP {response.status_code}", status=response.status_code)
                async for line in response.aiter_lines():
                    chunk = stream_event(line, request_id)
                    if chunk is not None:
                        yield chunk
        except httpx.TransportError as exc:
            raise transport_error(exc) from None

    async def embeddings(self, model: str, input: str | list[str], **params: Any) -> LlmReply:
        return _reply(await self._send("POST", "/v1/embeddings", embeddings_body(model, input, params)))

    async def models(self) -> list[dict[str, Any]]:
        return list((await self._send("GET", "/v1/models")).json()["data"])


__all__ = ["AsyncLlm", "Llm", "LlmReply"]
