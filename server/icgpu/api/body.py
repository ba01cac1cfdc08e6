"""The one JSON body decoder of every adapter (REST routes and /graphql alike).

A body is strict UTF-8 JSON: invalid UTF-8, NaN/Infinity and nesting deeper than ``MAX_DEPTH``
are refused with a 400 ``ValidationException`` (code ``MalformedJson``) naming the field ``body``;
a lone surrogate escape (``"\\ud800"``, which no encoder or database accepts) with a 400 naming
the field that holds it, so decoded text is always encodable. A route that takes JSON also
requires a JSON ``Content-Type`` (415 otherwise); its size is limited by ``api/limits.py``.
"""

from __future__ import annotations

import json
from typing import Any

from icgpu.errors import ValidationError

MAX_DEPTH = 64  # objects and arrays inside each other; real bodies nest a handful of levels


class UnsupportedMediaType(ValidationError):
    """A body sent to a JSON route with another content type."""

    status = 415


def malformed(reason: str) -> ValidationError:
    return ValidationError(f"request body is not valid JSON: {reason}", field="body", code="MalformedJson")


def require_json_media_type(content_type: str | None) -> None:
    """``application/json`` or ``application/<anything>+json``, in UTF-8 if a charset is named."""
    media, _, params = (content_type or "").partition(";")
    media = media.strip().lower()
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in params.split(";")
                        if p.strip().lower().startswith("charset=")), "utf-8")
        if charset in ("utf-8", "utf8"):
            return
    raise UnsupportedMediaType(
        f"this route takes a JSON body: send Content-Type: application/json (got {content_type or 'none'!r})",
        code="UnsupportedMediaType", field="Content-Type")


def decode(raw: bytes | str) -> Any:
    """Any JSON value, or a 400."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    except UnicodeDecodeError as exc:
        raise malformed(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise malformed(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise malformed(str(exc)) from None
    _check_tree(data)
    return data


def decode_object(raw: bytes | str) -> dict[str, Any]:
    """A JSON object, or a 400 naming the field ``body``."""
    if not (raw.strip() if isinstance(raw, str) else bytes(raw).strip()):
        raise ValidationError("request body is empty; send a JSON object", field="body")
    data = decode(raw)
    if not isinstance(data, dict):
        raise ValidationError("request body must be a JSON object", field="body")
    return data


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON, though Python's parser accepts them."""
    raise ValueError(f"{name} is not a JSON value")


def _check_tree(data: Any) -> None:
    """Depth and text checks without recursion: a stack of (value, depth, path)."""
    stack: list[tuple[Any, int, tuple[str, ...]]] = [(data, 0, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            _check_text(value, path)
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise malformed(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, ())  # a key is not a field yet: the body is at fault
                stack.append((item, depth + 1, (*path, key)))
        else:
            stack.extend((item, depth + 1, (*path, str(i))) for i, item in enumerate(value))


def _check_text(value: str, path: tuple[str, ...]) -> None:
    """Decoded text must be Unicode: JSON's ``\\ud800`` escapes can spell lone surrogates, which
    no encoder or database accepts. Refused naming the field that holds one."""
    if value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        where = ".".join(path) or "body"
        bad = f"U+{ord(value[exc.start]):04X}"
        if not path:
            raise malformed(f"a key holds a lone surrogate ({bad}), which is not Unicode") from None
        raise ValidationError(f"{where}: must be Unicode text (found the lone surrogate {bad})",
                              field=where) from None
