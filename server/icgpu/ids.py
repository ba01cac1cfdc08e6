"""Prefixed, random, URL-safe identifiers shared by REST, GraphQL and the SDKs."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_id(prefix: str, length: int = 12) -> str:
    return f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


MAX_ID_LENGTH = 40  # the width of every id column


def well_formed(value: str, prefix: str) -> bool:
    """Whether ``value`` could be an id that ``new_id(prefix)`` made. Any other string names no
    row, so callers answer "not found" without sending it to the database (which may reject it,
    e.g. PostgreSQL and a NUL character)."""
    tail = value[len(prefix) + 1:]
    return (len(value) <= MAX_ID_LENGTH and value.startswith(f"{prefix}-") and bool(tail)
            and all(c in _ALPHABET for c in tail))
