"""Calls to upstream OpenAI-compatible engines (vLLM, SGLang, Ollama's /v1, the development engine)
through one pooled HTTP client (``UpstreamClient``), built and closed by the platform; upstream
failures mapped to the documented API errors.

- the upstream rejects the request (400, 413, 422): 400 ``ValidationException`` with its message;
- it cannot be reached, times out, drops the connection, or answers anything else (5xx, 401,
  404, 429...): 502 ``ServiceUnavailableException`` with ``Retry-After``.

The client is aiohttp's (already the Kubernetes client's transport), not httpx: on the gateway's
hot path one proxied call cost 0.74 ms of CPU through ``httpx.AsyncClient`` and 0.10 ms through
``aiohttp.ClientSession`` (same loopback upstream, same process; bench/README.md, "Gateway"), and
the gateway's own budget is 2 ms. Nothing outside this module sees aiohttp: callers get
``UpstreamError`` and ``UpstreamStream``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp
import orjson

from icgpu.errors import ApiError, ServiceUnavailable, ValidationError
from icgpu.settings import Settings

REJECTED = frozenset({400, 413, 422})
JSON_HEADERS = {"content-type": "application/json", "accept-encoding": "identity"}
MAX_SHOWN = 500
KEEPALIVE_SECONDS = 30.0

log = logging.getLogger(__name__)


class Failure(StrEnum):
    CONNECT = "connect"  # refused, unresolvable, or no connection within the connect timeout
    BUSY = "busy"  # every pooled connection in use for the whole pool timeout
    TIMEOUT = "timeout"  # connected, but the next bytes did not come within the read timeout
    CLOSED = "closed"  # the connection dropped mid-answer


class UpstreamError(Exception):
    """A call that got no (complete) answer."""

    def __init__(self, failure: Failure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure


def _mapped(exc: BaseException) -> UpstreamError:
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return UpstreamError(Failure.CONNECT, str(exc))
    if isinstance(exc, aiohttp.SocketTimeoutError | asyncio.TimeoutError):
        return UpstreamError(Failure.TIMEOUT, str(exc))
    return UpstreamError(Failure.CLOSED, str(exc) or type(exc).__name__)


_TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


class UpstreamStream:
    """An answer whose body is read as it arrives; ``close`` (idempotent) ends it: a finished
    answer's connection goes back to the pool, an unfinished one is closed, which cancels the
    upstream's work."""

    def __init__(self, response: aiohttp.ClientResponse, slot: asyncio.Semaphore) -> None:
        self._response = response
        self._slot: asyncio.Semaphore | None = slot
        self.status = response.status

    async def read(self) -> bytes:
        try:
            return await self._response.read()
        except _TRANSPORT_ERRORS as exc:
            raise _mapped(exc) from None

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's bytes as they come (raises ``UpstreamError`` when the connection fails)."""
        try:
            async for piece in self._response.content.iter_any():
                yield piece
        except _TRANSPORT_ERRORS as exc:
            raise _mapped(exc) from None

    async def close(self) -> None:
        if self._slot is None:
            return
        slot, self._slot = self._slot, None
        try:
            self._response.release()  # back to the pool if fully read, otherwise the connection is closed
        finally:
            slot.release()


class UpstreamClient:
    """One keep-alive pool for every upstream; at most ``llm_upstream_max_connections`` calls at once
    (a call beyond waits up to the pool timeout, then fails as ``BUSY``). The session is made in the
    event loop of the first call and closed by ``aclose``."""

    def __init__(self, settings: Settings) -> None:
        self._timeout = aiohttp.ClientTimeout(total=None, sock_connect=settings.llm_upstream_connect_timeout_seconds,
                                              sock_read=settings.llm_upstream_read_timeout_seconds)
        self._pool_timeout = settings.llm_upstream_pool_timeout_seconds
        self._slots = asyncio.Semaphore(settings.llm_upstream_max_connections)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            # The semaphore bounds the connections; the connector keeps idle ones for reuse.
            connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEPALIVE_SECONDS, ttl_dns_cache=60)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout, trust_env=False,
                                                  auto_decompress=False, raise_for_status=False)
        return self._session

    async def _acquire(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            async with asyncio.timeout(self._pool_timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise UpstreamError(Failure.BUSY) from None

    async def post_json(self, url: str, payload: bytes) -> tuple[int, bytes]:
        """POST and read the whole answer."""
        await self._acquire()
        try:
            async with self._client().post(url, data=payload, headers=JSON_HEADERS, allow_redirects=False) as r:
                return r.status, await r.read()
        except _TRANSPORT_ERRORS as exc:
            raise _mapped(exc) from None
        finally:
            self._slots.release()

    async def open_stream(self, url: str, payload: bytes) -> UpstreamStream:
        """POST and return the answer with its body not yet read (the caller closes it)."""
        await self._acquire()
        try:
            response = await self._client().post(url, data=payload, headers=JSON_HEADERS, allow_redirects=False)
        except BaseException as exc:
            self._slots.release()
            if isinstance(exc, _TRANSPORT_ERRORS):
                raise _mapped(exc) from None
            raise
        return UpstreamStream(response, self._slots)

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def new_upstream_client(settings: Settings) -> UpstreamClient:
    return UpstreamClient(settings)


@dataclass(frozen=True)
class UpstreamFailure:
    """What went wrong, for the error and for the router (a connect error marks the replica)."""

    error: ApiError
    unreachable: bool


def unavailable(message: str, retry_after: int, *, code: str = "UpstreamUnavailable") -> ServiceUnavailable:
    return ServiceUnavailable(message, code=code, headers={"Retry-After": str(retry_after)})


def _upstream_message(body: bytes) -> str:
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")[:MAX_SHOWN].strip() or "no detail"
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])[:MAX_SHOWN]
        if isinstance(err, str):
            return err[:MAX_SHOWN]
        if isinstance(data.get("detail"), str):
            return str(data["detail"])[:MAX_SHOWN]
        if isinstance(data.get("message"), str):
            return str(data["message"])[:MAX_SHOWN]
    return body.decode("utf-8", "replace")[:MAX_SHOWN]


def status_failure(status: int, body: bytes, retry_after: int) -> ApiError:
    """The API error for an upstream's non-2xx answer."""
    message = _upstream_message(body)
    if status in REJECTED:
        return ValidationError(f"the model refused the request: {message}", code="UpstreamRejected", field="body")
    return unavailable(f"the model's server answered {status}: {message}", retry_after, code="UpstreamError")


def transport_failure(exc: UpstreamError, retry_after: int) -> UpstreamFailure:
    """The API error for a call that got no (complete) answer."""
    if exc.failure is Failure.CONNECT:
        return UpstreamFailure(unavailable("the model's server cannot be reached; retry shortly", retry_after), True)
    if exc.failure is Failure.BUSY:
        return UpstreamFailure(unavailable("the gateway is at its upstream connection limit; retry shortly",
                                           retry_after, code="UpstreamBusy"), False)
    if exc.failure is Failure.TIMEOUT:
        return UpstreamFailure(unavailable("the model's server did not answer in time", retry_after,
                                           code="UpstreamTimeout"), False)
    return UpstreamFailure(unavailable("the model's server closed the connection", retry_after), True)
