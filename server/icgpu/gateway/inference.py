"""One /v1 call, end to end, for the OpenAI adapter (api/openai): check the body, resolve the model
(``ModelRouter``), count the prompt (``tokenizer``), reserve (``metering``), pick a ready replica
(waking a deployment at zero within a bounded wait), call it through the pooled client (``proxy``),
relay the stream (``streaming``) and settle.

Answers carry the model name the caller asked for, and ``X-Tokens-Used`` / ``X-Tokens-Remaining``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import orjson

from icgpu.auth.principal import Principal
from icgpu.db.database import Database
from icgpu.errors import ApiError, NotFound, ValidationError
from icgpu.gateway import metering, proxy, tokenizer
from icgpu.gateway.contracts import CallableModel, Route, Router, Tokens
from icgpu.gateway.requests import ChatCall, chat_call, embedding_call
from icgpu.gateway.streaming import DONE_EVENT, StreamTally, relay_events, usage_event
from icgpu.settings import Settings

CHAT_PATH = "/chat/completions"
EMBEDDINGS_PATH = "/embeddings"


@dataclass
class Reply:
    """A whole JSON answer."""

    body: bytes
    headers: dict[str, str]


@dataclass
class StreamReply:
    """An SSE answer: ``events`` yields the bytes to send; ``close`` (idempotent, run by the response
    whatever happens, even when ``events`` never started) closes the upstream and settles."""

    events: AsyncIterator[bytes]
    close: Callable[[], Awaitable[None]]
    headers: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def unshared_reads(db: Database) -> AsyncIterator[None]:
    """Reads inside the block each get a session of their own, whose connection goes back to the
    pool when the read ends: the request's shared read session is held (unused, so holding no
    connection) for the block's length. ``Database.transaction()`` already closes an idle shared
    session before a write, but a /v1 call with batched metering may make no write at all: without
    this, authentication's or routing's read would keep a pooled connection for the whole proxied
    call (seconds for a long completion), and on PostgreSQL, where reads and writes share one pool,
    enough parallel calls would exhaust it."""
    async with db.read():
        yield


def _error_event(err: ApiError, request_id: str | None) -> bytes:
    return b"data: " + orjson.dumps(err.body(request_id)) + b"\n\n"


class InferenceGateway:
    def __init__(self, settings: Settings, db: Database, http: proxy.UpstreamClient, router: Router,
                 tokens: Tokens) -> None:
        self.settings = settings
        self.db = db
        self.http = http
        self.router = router
        self.tokens = tokens
        self.retry_after = settings.llm_upstream_retry_after_seconds
        self.cap = settings.llm_max_reservation_tokens

    @property
    def wake_wait(self) -> float:
        return self.settings.model_wake_wait_seconds

    # -- /v1/models ---------------------------------------------------------------------------------

    async def models(self, p: Principal) -> Reply:
        p.require("models", "read")
        async with unshared_reads(self.db):
            listed = await self.router.callable_models(p)
        data = [_model_object(m) for m in listed]
        return Reply(orjson.dumps({"object": "list", "data": data}), {})

    async def model(self, p: Principal, name: str) -> Reply:
        """One of the callable models (OpenAI's ``GET /v1/models/{model}``)."""
        p.require("models", "read")
        async with unshared_reads(self.db):
            listed = await self.router.callable_models(p)
        for m in listed:
            if m.id == name:
                return Reply(orjson.dumps(_model_object(m)), {})
        raise NotFound(f"the model '{name[:200]}' does not exist or you do not have access to it",
                       code="ModelNotFound")

    # -- shared steps -------------------------------------------------------------------------------

    async def _route(self, p: Principal, model: str, kind: str) -> Route:
        async with unshared_reads(self.db):
            route: Route = await self.router.resolve(p, model)
        if route.kind != kind:
            other = "/v1/embeddings" if route.kind == "embedding" else "/v1/chat/completions"
            raise ValidationError(f"model: '{model}' is a {route.kind} model; call it at {other}", field="model",
                                  code="WrongModelKind")
        return route

    async def _upstream_url(self, route: Route, call: metering.MeteredCall, payload: dict[str, Any]) -> str:
        """The base URL of the replica the call goes to; a replica with a model name of its own (a KubeAI
        Model's) gets that name in ``payload`` instead of the route's upstream model."""
        try:
            async with unshared_reads(self.db):
                target = await self.router.target(route, wait_seconds=self.wake_wait)
            if target.model:
                payload["model"] = target.model
            return str(target.url)
        except ApiError as err:
            await call.release()
            err.headers.update(call.headers())  # the refusal says what was used (nothing) and the balance
            raise
        except BaseException:
            await call.release()
            raise

    def _failed(self, route: Route, base: str, exc: proxy.UpstreamError) -> ApiError:
        failure = proxy.transport_failure(exc, self.retry_after)
        if failure.unreachable:
            self.router.mark_unhealthy(route.deployment_id, base)
        return failure.error

    async def _call_whole(self, p: Principal, route: Route, call: metering.MeteredCall, path: str,
                          payload: dict[str, Any], asked: str) -> Reply:
        """Send, read the whole answer, settle (or release when nothing was used)."""
        base = await self._upstream_url(route, call, payload)
        try:
            with self.router.inflight(route.deployment_id):
                try:
                    status, content = await self.http.post_json(base + path, orjson.dumps(payload))
                except proxy.UpstreamError as exc:
                    raise self._failed(route, base, exc) from None
            if status != 200:
                raise proxy.status_failure(status, content, self.retry_after)
            try:
                data = orjson.loads(content)
            except orjson.JSONDecodeError:
                raise proxy.unavailable("the model's server answered something that is not JSON",
                                        self.retry_after, code="UpstreamError") from None
            if not isinstance(data, dict):
                raise proxy.unavailable("the model's server answered an unexpected document", self.retry_after,
                                        code="UpstreamError")
            usage = data.get("usage") if isinstance(data.get("usage"), dict) else None
            await call.settle(usage, _completion_text(data) if usage is None else "")
        except ApiError as err:
            await call.release()
            err.headers.update(call.headers())
            raise
        finally:
            await call.release()  # no-op once settled: here only when nothing was used
        if data.get("model") != asked:
            data["model"] = asked
        return Reply(orjson.dumps(data), call.headers())

    # -- /v1/chat/completions -----------------------------------------------------------------------

    async def chat(self, p: Principal, body: dict[str, Any], request_id: str | None) -> Reply | StreamReply:
        p.require("models", "read")
        chat = chat_call(body)
        route = await self._route(p, chat.model, "chat")
        prompt = tokenizer.count_chat_tokens(chat.messages)
        call = await metering.reserve(self.tokens, p, route, prompt_tokens=prompt, max_tokens=chat.max_tokens,
                                      n=chat.n, cap=self.cap, request_id=request_id)
        payload = dict(chat.body)
        payload["model"] = route.upstream_model
        if not chat.stream:
            return await self._call_whole(p, route, call, CHAT_PATH, payload, chat.model)
        payload["stream_options"] = {**(chat.body.get("stream_options") or {}), "include_usage": True}
        return await self._open_stream(route, call, payload, chat, request_id)

    async def _open_stream(self, route: Route, call: metering.MeteredCall, payload: dict[str, Any],
                           chat: ChatCall, request_id: str | None) -> StreamReply:
        base = await self._upstream_url(route, call, payload)
        inflight: AbstractContextManager[Any] = self.router.inflight(route.deployment_id)
        inflight.__enter__()
        response: proxy.UpstreamStream | None = None
        closed = False

        async def close() -> None:
            nonlocal closed
            if closed:
                return
            closed = True
            with anyio.CancelScope(shield=True):
                try:
                    if response is not None:
                        await response.close()  # an unfinished upstream request is cancelled here
                finally:
                    inflight.__exit__(None, None, None)
                    await settle_partial()

        async def settle_partial() -> None:
            """What a stream cut short used: nothing relayed yet is released, else settled."""
            if tally.events or tally.text:
                await call.settle(tally.usage, tally.completion_text())
            else:
                await call.release()

        tally = StreamTally(model=chat.model, upstream_model=route.upstream_model, pass_usage=chat.include_usage)
        try:
            try:
                response = await self.http.open_stream(base + CHAT_PATH, orjson.dumps(payload))
            except proxy.UpstreamError as exc:
                raise self._failed(route, base, exc) from None
            if response.status != 200:
                try:
                    content = await response.read()
                except proxy.UpstreamError as exc:
                    raise self._failed(route, base, exc) from None
                raise proxy.status_failure(response.status, content, self.retry_after)
        except ApiError as err:
            await close()
            err.headers.update(call.headers())
            raise
        except BaseException:
            await close()
            raise
        upstream = response

        async def events() -> AsyncIterator[bytes]:
            try:
                async for out in relay_events(upstream.chunks(), tally):
                    yield out
            except proxy.UpstreamError as exc:
                # Settled before the error event goes out: the caller who sees the failure finds it charged.
                await settle_partial()
                yield _error_event(self._failed(route, base, exc), request_id)
                return
            if not tally.done:
                await settle_partial()
                yield _error_event(proxy.unavailable("the model's server ended the stream early",
                                                     self.retry_after), request_id)
                return
            await call.settle(tally.usage, tally.completion_text())
            if chat.include_usage and tally.usage is None:
                prompt = call.prompt_tokens
                completion = tokenizer.count_tokens(tally.completion_text())
                usage = {"prompt_tokens": prompt, "completion_tokens": completion,
                         "total_tokens": prompt + completion}
                yield usage_event(tally, usage, f"chatcmpl-{request_id or 'icgpu'}", int(time.time()))
            used = call.headers()
            # An SSE comment (clients skip it): the settled figures, as the final headers would say.
            yield (f": {metering.USED.lower()}={used[metering.USED]}"
                   + (f" {metering.REMAINING.lower()}={used[metering.REMAINING]}" if metering.REMAINING in used
                      else "") + "\n\n").encode() + DONE_EVENT

        return StreamReply(events(), close, call.headers())

    # -- /v1/embeddings -----------------------------------------------------------------------------

    async def embeddings(self, p: Principal, body: dict[str, Any], request_id: str | None) -> Reply:
        p.require("models", "read")
        emb = embedding_call(body)
        route = await self._route(p, emb.model, "embedding")
        prompt = sum(tokenizer.count_tokens(text) for text in emb.inputs)
        call = await metering.reserve(self.tokens, p, route, prompt_tokens=prompt, max_tokens=0, n=1,
                                      cap=self.cap, request_id=request_id)
        payload = dict(emb.body)
        payload["model"] = route.upstream_model
        return await self._call_whole(p, route, call, EMBEDDINGS_PATH, payload, emb.model)


def _model_object(m: CallableModel) -> dict[str, Any]:
    """OpenAI's model object, plus ``kind`` (chat | embedding) and ``dev_engine`` (served by the
    built-in development engine rather than a real inference engine)."""
    return {"id": m.id, "object": "model", "created": int(m.created), "owned_by": m.owned_by, "kind": m.kind,
            "dev_engine": bool(m.dev_engine)}


def _completion_text(data: dict[str, Any]) -> str:
    """The text of a chat answer's choices (to count when the upstream reports no usage)."""
    parts: list[str] = []
    for choice in data.get("choices") or ():
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
    return "".join(parts)
