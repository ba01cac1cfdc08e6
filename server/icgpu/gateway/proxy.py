"""Calls to upstream OpenAI-compatible engines (vLLM, SGLang, Ollama's /v1, the development engine)
through one pooled ``httpx.AsyncClient``, built and closed by the platform; upstream failures
mapped to the documented API errors.

- the upstream rejects the request (400, 413, 422): 400 ``ValidationException`` with its message;
- it cannot be reached, times out, drops the connection, or answers anything else (5xx, 401,
  404, 429...): 502 ``ServiceUnavailableException`` with ``Retry-After``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from icgpu.errors import ApiError, ServiceUnavailable, ValidationError
from icgpu.settings import Settings

REJECTED = frozenset({400, 413, 422})
JSON_HEADERS = {"content-type": "application/json", "accept-encoding": "identity"}
MAX_SHOWN = 500


def new_upstream_client(settings: Settings) -> httpx.AsyncClient:
    """The one client every upstream call goes through (keep-alive pool per upstream). httpx's own
    line per request is not logged (every /v1 call would log twice; failures are logged as errors)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(connect=settings.llm_upstream_connect_timeout_seconds,
                              read=settings.llm_upstream_read_timeout_seconds,
                              write=settings.llm_upstream_connect_timeout_seconds,
                              pool=settings.llm_upstream_pool_timeout_seconds),
        limits=httpx.Limits(max_connections=settings.llm_upstream_max_connections,
                            max_keepalive_connections=settings.llm_upstream_max_connections,
                            keepalive_expiry=30.0),
        trust_env=False,
        follow_redirects=False,
    )


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


def transport_failure(exc: httpx.HTTPError, retry_after: int) -> UpstreamFailure:
    """The API error for a call that got no (complete) answer."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return UpstreamFailure(unavailable("the model's server cannot be reached; retry shortly", retry_after), True)
    if isinstance(exc, httpx.PoolTimeout):
        return UpstreamFailure(unavailable("the gateway is at its upstream connection limit; retry shortly",
                                           retry_after, code="UpstreamBusy"), False)
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamFailure(unavailable("the model's server did not answer in time", retry_after,
                                           code="UpstreamTimeout"), False)
    return UpstreamFailure(unavailable("the model's server closed the connection", retry_after), True)


async def post_json(client: httpx.AsyncClient, url: str, payload: bytes) -> tuple[int, bytes]:
    """POST and read the whole answer (raises httpx errors for the caller to map)."""
    response = await client.post(url, content=payload, headers=JSON_HEADERS)
    return response.status_code, response.content


async def open_stream(client: httpx.AsyncClient, url: str, payload: bytes) -> httpx.Response:
    """POST and return the response with its body not yet read (the caller closes it)."""
    request = client.build_request("POST", url, content=payload, headers=JSON_HEADERS)
    return await client.send(request, stream=True)
