"""API key material: ``sk-ic-`` + 256 bits, stored only as a SHA-256 digest with a display prefix."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "sk-ic-"
DISPLAY_PREFIX_LEN = len(KEY_PREFIX) + 4


def generate() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    # A 256-bit random secret needs no slow hash: SHA-256 is not reversible for it.
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:DISPLAY_PREFIX_LEN]


def looks_like_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)
