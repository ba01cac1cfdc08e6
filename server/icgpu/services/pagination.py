"""Cursor pagination shared by every list: ``maxResults`` 1-100 and a signed, opaque ``nextToken``.

The token carries the keyset position ``(created_at, id)`` of the last row returned plus a hash of
the list's filters, signed with HMAC-SHA256: a token that was altered, or is replayed against a
different list, is a 400.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from icgpu.errors import ValidationError

T = TypeVar("T")

DEFAULT_PAGE = 50
MAX_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    max_results: int | None = None
    next_token: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_token: str | None


MAX_TOKEN_LENGTH = 512  # a genuine token is about 120 characters


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


class PageCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> bytes:
        return _b64(hmac.new(self._secret, payload, hashlib.sha256).digest()[:16])

    def encode(self, scope: str, created_at: datetime, id: str) -> str:
        payload = json.dumps({"s": _scope_hash(scope), "t": created_at.isoformat(), "i": id},
                             separators=(",", ":")).encode()
        return (_b64(payload) + b"." + self._sign(payload)).decode()

    def decode(self, scope: str, token: str) -> tuple[datetime, str]:
        """Everything is checked as bytes: a token that is not short ASCII (emoji, NUL, megabytes)
        names no page, and neither does one whose signature or list does not match."""
        bad = ValidationError("nextToken is invalid or was issued for another list", field="nextToken",
                              code="InvalidPaginationToken")
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise bad
        raw = token.encode("ascii")
        body, dot, sig = raw.partition(b".")
        try:
            payload = _unb64(body)
        except ValueError:  # binascii.Error is a ValueError
            raise bad from None
        # Base64 tolerates spare bits and foreign characters: only the canonical spelling is genuine.
        if not dot or _b64(payload) != body or not hmac.compare_digest(self._sign(payload), sig):
            raise bad
        try:
            data = json.loads(payload)
            if data["s"] != _scope_hash(scope):
                raise bad
            return datetime.fromisoformat(data["t"]), str(data["i"])
        except (ValueError, KeyError, TypeError):
            raise bad from None

    def apply(
        self,
        stmt: Any,
        page: PageRequest,
        *,
        scope: str,
        created_col: InstrumentedAttribute[Any],
        id_col: InstrumentedAttribute[Any],
    ) -> tuple[Any, int]:
        """Order by (created_at, id), start after the token, and fetch one row more than the page."""
        size = validate_max_results(page.max_results)
        if page.next_token:
            after_t, after_id = self.decode(scope, page.next_token)
            stmt = stmt.where(or_(created_col > after_t, and_(created_col == after_t, id_col > after_id)))
        return stmt.order_by(created_col, id_col).limit(size + 1), size

    async def fetch(self, s: AsyncSession, stmt: Any, page: PageRequest, *, scope: str, model: Any) -> Page[Any]:
        """One page of ``stmt`` (selecting ``model`` rows), keyset-ordered on its created_at and id."""
        stmt, size = self.apply(stmt, page, scope=scope, created_col=model.created_at, id_col=model.id)
        return self.page(list((await s.scalars(stmt)).all()), size, scope=scope)

    def page(self, rows: list[Any], size: int, *, scope: str) -> Page[Any]:
        return self.page_of(rows, size, scope=scope, key=lambda row: row)

    def page_of(self, rows: list[Any], size: int, *, scope: str, key: Callable[[Any], Any]) -> Page[Any]:
        """Trim the look-ahead row; ``key(item)`` gives the row holding ``created_at`` and ``id``."""
        if len(rows) <= size:
            return Page(items=rows, next_token=None)
        rows = rows[:size]
        last = key(rows[-1])
        return Page(items=rows, next_token=self.encode(scope, last.created_at, last.id))


def validate_max_results(value: int | None) -> int:
    if value is None:
        return DEFAULT_PAGE
    if not 1 <= value <= MAX_PAGE:
        raise ValidationError(f"maxResults must be between 1 and {MAX_PAGE}", field="maxResults")
    return value


def _scope_hash(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:12]
