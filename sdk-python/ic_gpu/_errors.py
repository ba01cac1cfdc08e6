"""The SDK's exceptions, and how a server response maps onto them.

The server names the error type in the REST body (``error.type``) and in GraphQL
``extensions.code``; both map through ``ERROR_TYPES``. Statuses the server cannot have answered
(a proxy's 502, a bare 503) map through ``STATUS_CLASSES``.
"""

from __future__ import annotations

from typing import Any


class ICGPUError(Exception):
    """Every exception the SDK raises."""


class APIError(ICGPUError):
    """An error answered by the API (or by something between you and it)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        type: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        field: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.code = code
        self.request_id = request_id
        self.field = field
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [f"{self.type or type(self).__name__}"]
        if self.code and self.code != self.type:
            parts.append(f"({self.code})")
        text = " ".join(parts) + f": {self.message}"
        if self.field:
            text += f" [field: {self.field}]"
        if self.request_id:
            text += f" [request id: {self.request_id}]"
        return text


class ValidationError(APIError):
    """400: invalid parameters; ``field`` names the input at fault."""


class AuthenticationError(APIError):
    """401: a missing, unknown, revoked or expired API key or token."""


class InsufficientTokensError(APIError):
    """402: the token balance is depleted."""


class PermissionDeniedError(APIError):
    """403: the credential may not do this."""


class NotFoundError(APIError):
    """404: no such resource (or not yours)."""


class ConflictError(APIError):
    """409: a state or name conflict, or an Idempotency-Key reused with other parameters."""


class RateLimitError(APIError):
    """429: over the rate limit; retried automatically, raised once retries are spent."""


class InternalServerError(APIError):
    """500 (and any other 5xx that is not 502/503)."""


class ServiceUnavailableError(APIError):
    """502/503: the service (or a hop before it) is unavailable; retried automatically."""


class APIConnectionError(APIError):
    """No response: the connection failed or was closed before an answer came."""


class APITimeoutError(APIConnectionError):
    """No response within the client's timeout."""


class SecretUnavailableError(APIError):
    """A retried call created a resource whose one-time secret was lost with the first response.

    The retry got the server's idempotent replay, which never holds the secret. The resource
    exists: ``resource_type`` and ``resource_id`` name it. Revoke or delete it and create another.
    """

    def __init__(self, message: str, *, resource_type: str, resource_id: str, request_id: str | None) -> None:
        super().__init__(message, status=200, type="SecretUnavailable", code="SecretUnavailable",
                         request_id=request_id)
        self.resource_type = resource_type
        self.resource_id = resource_id


ERROR_TYPES: dict[str, type[APIError]] = {
    "ValidationException": ValidationError,
    "AuthenticationError": AuthenticationError,
    "InsufficientTokens": InsufficientTokensError,
    "AccessDeniedException": PermissionDeniedError,
    "ResourceNotFoundException": NotFoundError,
    "ConflictException": ConflictError,
    "ThrottlingException": RateLimitError,
    "InternalServiceException": InternalServerError,
    "ServiceUnavailableException": ServiceUnavailableError,
}

STATUS_CLASSES: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    402: InsufficientTokensError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: ValidationError,
    409: ConflictError,
    413: ValidationError,
    415: ValidationError,
    429: RateLimitError,
    500: InternalServerError,
    502: ServiceUnavailableError,
    503: ServiceUnavailableError,
    504: ServiceUnavailableError,
}


def error_class(type_: str | None, status: int | None) -> type[APIError]:
    if type_ in ERROR_TYPES:
        return ERROR_TYPES[type_]
    if status is not None:
        if status in STATUS_CLASSES:
            return STATUS_CLASSES[status]
        if status >= 500:
            return InternalServerError
    return APIError


def from_graphql_error(error: dict[str, Any], *, request_id: str | None, retry_after: float | None) -> APIError:
    """One GraphQL error (``{"message", "extensions": {code, status, reason, field}}``) as an exception."""
    ext = error.get("extensions") if isinstance(error.get("extensions"), dict) else {}
    assert isinstance(ext, dict)
    type_ = ext.get("code") if isinstance(ext.get("code"), str) else None
    status = ext.get("status") if isinstance(ext.get("status"), int) else None
    cls = error_class(type_, status)
    return cls(
        str(error.get("message", "GraphQL error")),
        status=status,
        type=type_,
        code=ext.get("reason") if isinstance(ext.get("reason"), str) else type_,
        request_id=request_id,
        field=ext.get("field") if isinstance(ext.get("field"), str) else None,
        retry_after=retry_after,
    )


def from_http_error(status: int, body: Any, *, request_id: str | None, retry_after: float | None) -> APIError:
    """A non-2xx answer: the shared error body when there is one, else the status alone."""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        type_ = err.get("type") if isinstance(err.get("type"), str) else None
        return error_class(type_, status)(
            str(err.get("message", f"HTTP {status}")),
            status=status,
            type=type_,
            code=err.get("code") if isinstance(err.get("code"), str) else type_,
            request_id=err.get("request_id") if isinstance(err.get("request_id"), str) else request_id,
            field=err.get("field") if isinstance(err.get("field"), str) else None,
            retry_after=retry_after,
        )
    cls = error_class(None, status)
    return cls(f"HTTP {status} with no API error body", status=status, request_id=request_id,
               retry_after=retry_after)
