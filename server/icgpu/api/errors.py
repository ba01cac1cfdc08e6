"""Mapping errors to the shared JSON body; unexpected ones are masked and logged, never shown."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from icgpu.errors import ApiError, Conflict, InternalError, NotFound, ValidationError
from icgpu.services.validation import first_error

log = logging.getLogger("icgpu.errors")


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(exc: ApiError, request_id: str | None) -> JSONResponse:
    return JSONResponse(exc.body(request_id), status_code=exc.status, headers=exc.headers)


def as_api_error(exc: Exception, request_id: str | None) -> ApiError:
    if isinstance(exc, ApiError):
        return exc
    log.error("unhandled error (request %s)", request_id, exc_info=exc)
    return InternalError("an unexpected error occurred; quote the request id when reporting it")


def _http_error(exc: StarletteHTTPException) -> ApiError:
    if exc.status_code == 404:
        return NotFound("no such route", code="RouteNotFound")
    if exc.status_code == 405:
        err = ValidationError("method not allowed on this route", code="MethodNotAllowed",
                              headers=dict(exc.headers or {}))
        err.status = 405
        return err
    if exc.status_code == 409:
        return Conflict(str(exc.detail))
    if 400 <= exc.status_code < 500:
        err = ValidationError(str(exc.detail))
        err.status = exc.status_code
        return err
    return InternalError("an unexpected error occurred")


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc, request_id_of(request))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(first_error(exc), request_id_of(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(_http_error(exc), request_id_of(request))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return error_response(as_api_error(exc, request_id_of(request)), request_id_of(request))
