"""The REST adapter's OpenAPI document (schema/openapi.json)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Replace FastAPI's generated document with the one the routes really honour."""
