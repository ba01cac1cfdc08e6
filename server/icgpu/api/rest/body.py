"""Reading a REST route's JSON body, after authentication: a JSON content type (415), then the
shared decoder (``icgpu.api.body``: 400 for malformed JSON, wrong content or not an object). The
size is limited while the body is read, for every route (``icgpu.api.limits``: 413)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from icgpu.api.body import decode_object, require_json_media_type


async def read_json(request: Request) -> dict[str, Any]:
    require_json_media_type(request.headers.get("content-type"))
    return decode_object(await request.body())
