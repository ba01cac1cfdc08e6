"""JSON encoding for responses: orjson, producing the bytes the stdlib encoder would.

- REST (Starlette's ``JSONResponse``) writes compact JSON with non-ASCII text as UTF-8:
  ``json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))``.
- GraphQL (strawberry's view) writes ``json.dumps(data, separators=(",", ":"))``, which escapes
  non-ASCII text as ``\\uXXXX``; orjson cannot, so a response with any non-ASCII byte is encoded
  by the stdlib instead (rare: names are ASCII by rule).

orjson and the stdlib write str, int, bool, None, list and dict identically, and floats too except
in two cases our responses never hold (prices and sizes): an exponent (below 1e-4 or from 1e16:
``1e-05`` vs ``1e-5``) and non-finite values (the stdlib refuses them). ``ICGPU_FAST_PATHS=false``
switches the fast paths off, giving the reference that tests/server/test_response_equality.py
compares byte for byte.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import orjson
from starlette.responses import JSONResponse


def dumps_utf8(content: Any) -> bytes:
    """``json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))``, faster."""
    try:
        return orjson.dumps(content)
    except TypeError:  # a type orjson does not know: let the stdlib say what is wrong
        return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def iso_default(value: Any) -> str:
    """The stdlib encoder's ``default`` for a GraphQL result, which may hold datetimes and dates
    (api/graphql/execution.py leaves them for the encoder): their ISO text, as orjson writes them."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_graphql(content: Any) -> str:
    """``json.dumps(content, separators=(",", ":"))`` for a GraphQL result (datetimes as ISO text)."""
    return json.dumps(content, separators=(",", ":"), default=iso_default)


def dumps_ascii(content: Any) -> bytes:
    """``json.dumps(content, separators=(",", ":"))`` (non-ASCII escaped), faster; a datetime or
    date is written as its ISO text either way (orjson's text is ``isoformat()``'s for the
    UTC and offset-less values it gets)."""
    try:
        out = orjson.dumps(content)
    except TypeError:
        out = b""
    return out if out and out.isascii() else dumps_graphql(content).encode()


class FastJSONResponse(JSONResponse):
    """Starlette's JSONResponse, encoded by orjson."""

    def render(self, content: Any) -> bytes:
        return dumps_utf8(content)
