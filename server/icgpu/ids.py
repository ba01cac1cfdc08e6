"""Prefixed, random, URL-safe identifiers shared by REST, GraphQL and the SDKs."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_id(prefix: str, length: int = 12) -> str:
    # One draw from the system's randomness, uniform over every tail of ``length`` characters, written
    # in base 36 (one draw instead of one per character: about 2 µs instead of 24 per id).
    n = secrets.randbelow(36 ** length)
    tail = []
    for _ in range(length):
        n, digit = divmod(n, 36)
        tail.append(_ALPHABET[digit])
    return f"{prefix}-" + "".join(tail)


MAX_ID_LENGTH = 40  # the width of every id column


def well_formed(value: str, prefix: str) -> bool:
    """Whether ``value`` could be an id that ``new_id(prefix)`` made. Any other string names no
    row, so callers answer "not found" without sending it to the database (which may reject it,
    e.g. PostgreSQL and a NUL character)."""
    tail = value[len(prefix) + 1:]
    return (len(value) <= MAX_ID_LENGTH and value.startswith(f"{prefix}-") and bool(tail)
            and all(c in _ALPHABET for c in tail))
