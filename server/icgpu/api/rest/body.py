"""Reading JSON bodies with clear 400s (malformed JSON, wrong content, not an object)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from icgpu.errors import ValidationError

MAX_BODY = 1 << 20


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ValidationError("request body is larger than 1 MiB", code="BodyTooLarge")
    if not raw.strip():
        raise ValidationError("request body is empty; send a JSON object", field="body")
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"request body is not valid JSON: {exc}", field="body",
                              code="MalformedJson") from None
    except RecursionError:
        raise ValidationError("request body is not valid JSON: nested too deeply", field="body",
                              code="MalformedJson") from None
    if not isinstance(data, dict):
        raise ValidationError("request body must be a JSON object", field="body")
    return data


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON, though Python's parser accepts them."""
    raise ValueError(f"{name} is not a JSON value")
