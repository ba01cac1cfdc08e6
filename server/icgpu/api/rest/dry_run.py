"""The one REST shape of a dry run: 200 ``{"dryRun": true, "valid": true, "<resource>": ...}``, the
resource as it would be after the call (schemas.DryRun*). Real creates answer 201 with Location."""

from __future__ import annotations

from typing import Any

from fastapi import Response


def preview(resource: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"dryRun": True, "valid": True, resource: body}


def written(dry_run: bool, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    """The answer of a write that changes an existing resource (200 either way)."""
    return preview(resource, body) if dry_run else body


def created(response: Response, dry_run: bool, resource: str, body: dict[str, Any],
            location: str | None = None, real: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer of a create: 201 with ``real`` (default ``body``) and Location, or a 200 preview
    of ``body`` for a dry run."""
    if dry_run:
        response.status_code = 200
        return preview(resource, body)
    if location is not None:
        response.headers["Location"] = location
    return body if real is None else real
