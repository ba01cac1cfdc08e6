"""The one table of API errors: each type maps to an HTTP status, used by every adapter."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    type: str = "InternalServiceException"
    status: int = 500

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.type
        self.field = field
        self.headers = headers or {}

    def body(self, request_id: str | None) -> dict[str, Any]:
        err: dict[str, Any] = {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "request_id": request_id,
        }
        if self.field:
            err["field"] = self.field
        return {"error": err}


class ValidationError(ApiError):
    type = "ValidationException"
    status = 400


class AuthenticationError(ApiError):
    type = "AuthenticationError"
    status = 401


class InsufficientTokens(ApiError):
    type = "InsufficientTokens"
    status = 402


class AccessDenied(ApiError):
    type = "AccessDeniedException"
    status = 403


class NotFound(ApiError):
    type = "ResourceNotFoundException"
    status = 404


class Conflict(ApiError):
    type = "ConflictException"
    status = 409


class Throttled(ApiError):
    type = "ThrottlingException"
    status = 429


class InternalError(ApiError):
    type = "InternalServiceException"
    status = 500


class ServiceUnavailable(ApiError):
    type = "ServiceUnavailableException"
    status = 502


ERROR_TYPES: tuple[type[ApiError], ...] = (
    ValidationError,
    AuthenticationError,
    InsufficientTokens,
    AccessDenied,
    NotFound,
    Conflict,
    Throttled,
    InternalError,
    ServiceUnavailable,
)
