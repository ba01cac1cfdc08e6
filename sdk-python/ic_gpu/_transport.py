"""The HTTP client handed to the generated clients: retries, idempotency keys, errors, secrets.

The generated clients call ``post(url, json=...)`` once per operation. Each call here is one
logical request: a mutation gets one ``Idempotency-Key`` that every retry reuses, so the server
runs it at most once; failures become the SDK's exceptions; a 2xx answer is returned only when it
holds no GraphQL error, so the generated ``get_data`` always gets clean data.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from ._config import Config
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    SecretUnavailableError,
    from_graphql_error,
    from_http_error,
)
from ._retry import delay, parse_retry_after, retryable

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

# Mutations that answer a one-time secret: root field -> (secret field, resource field, resource name).
SECRET_FIELDS: dict[str, tuple[str, str, str]] = {
    "createApiKey": ("key", "apiKey", "API key"),
    "generateSshKey": ("privateKey", "sshKey", "SSH key"),
}


def is_mutation(body: Any) -> bool:
    query = body.get("query") if isinstance(body, dict) else None
    return isinstance(query, str) and query.lstrip().startswith("mutation")


def request_headers(config: Config, body: Any, extra: Any) -> dict[str, str]:
    headers = {**config.headers(), **(dict(extra) if extra else {})}
    if is_mutation(body) and IDEMPOTENCY_HEADER not in headers:
        headers[IDEMPOTENCY_HEADER] = uuid.uuid4().hex
    return headers


def check(response: httpx.Response) -> APIError | None:
    """The error a response carries (HTTP refusal or GraphQL error), or None."""
    request_id = response.headers.get("X-Request-Id")
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    try:
        body = response.json()
    except ValueError:
        body = None
    if not 200 <= response.status_code <= 299:
        return from_http_error(response.status_code, body, request_id=request_id, retry_after=retry_after)
    if body is None:
        return APIError("the server answered a body that is not JSON", status=response.status_code,
                        request_id=request_id)
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors and isinstance(errors, list) and isinstance(errors[0], dict):
        return from_graphql_error(errors[0], request_id=request_id, retry_after=retry_after)
    secret_lost(response, body, request_id)
    return None


def secret_lost(response: httpx.Response, body: Any, request_id: str | None) -> None:
    """Raise SecretUnavailableError when an idempotent replay answers a secret-returning call."""
    if response.headers.get(REPLAYED_HEADER, "").lower() != "true":
        return
    data = body.get("data") if isinstance(body, dict) else None
    for root, payload in (data or {}).items():
        if root not in SECRET_FIELDS or not isinstance(payload, dict) or payload.get("dryRun"):
            continue
        secret, resource_field, name = SECRET_FIELDS[root]
        if payload.get(secret) is None:
            resource = payload.get(resource_field) or {}
            resource_id = str(resource.get("id", "?"))
            raise SecretUnavailableError(
                f"the {name} {resource_id} was created, but the response holding its one-time secret was lost "
                "and a replay never repeats it: delete or revoke it and create another",
                resource_type=name, resource_id=resource_id, request_id=request_id)


def transport_error(exc: httpx.TransportError) -> APIError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request timed out: {exc}")
    return APIConnectionError(f"connection error: {exc.__class__.__name__}: {exc}")


class SyncTransport:
    """A sync ``HttpClient`` for the generated client."""

    def __init__(self, config: Config, http: httpx.Client | None = None) -> None:
        self.config = config
        self.http = http or httpx.Client(timeout=config.timeout)

    def post(self, url: Any, json: Any = None, data: Any = None, files: Any = None, headers: Any = None,
             **kwargs: Any) -> httpx.Response:
        sent = request_headers(self.config, json, headers)
        attempt = 0
        while True:
            try:
                response = self.http.post(url, json=json, headers=sent, **kwargs)
                error = check(response)
            except httpx.TransportError as exc:
                error = transport_error(exc)
            if error is None:
                return response
            if attempt >= self.config.max_retries or not retryable(error):
                raise error
            time.sleep(delay(attempt, error.retry_after))
            attempt += 1

    def close(self) -> None:
        self.http.close()


class AsyncTransport:
    """An async ``HttpClient`` for the generated client (same rules as SyncTransport)."""

    def __init__(self, config: Config, http: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.http = http or httpx.AsyncClient(timeout=config.timeout)

    async def post(self, url: Any, json: Any = None, data: Any = None, files: Any = None, headers: Any = None,
                   **kwargs: Any) -> httpx.Response:
        sent = request_headers(self.config, json, headers)
        attempt = 0
        while True:
            try:
                response = await self.http.post(url, json=json, headers=sent, **kwargs)
                error = check(response)
            except httpx.TransportError as exc:
                error = transport_error(exc)
            if error is None:
                return response
            if attempt >= self.config.max_retries or not retryable(error):
                raise error
            await asyncio.sleep(delay(attempt, error.retry_after))
            attempt += 1

    async def aclose(self) -> None:
        await self.http.aclose()
