"""The 200 answer of a REST read, made without FastAPI's response pass.

Routes declare ``dict[str, Any]`` as their response model (docs.py), and FastAPI validates the
returned dict against it and dumps it again, walking every value of a page twice. A handler that
returns ``ok(platform, body)`` answers the JSON bytes directly instead (orjson: the bytes FastAPI
would send, see api/encoding.py), with the same status and headers. ``ICGPU_FAST_PATHS=false``
returns the dict to FastAPI, the reference that tests/server/test_response_equality.py compares
byte for byte. The OpenAPI document is unchanged: it comes from the route's declarations.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response

from icgpu.api.encoding import dumps_utf8
from icgpu.platform import Platform

JSON = "application/json"


def ok(platform: Platform, body: dict[str, Any]) -> Response | dict[str, Any]:
    if platform.settings.fast_paths:
        return Response(dumps_utf8(body), media_type=JSON)
    return body
