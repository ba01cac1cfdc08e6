"""Which failures are retried, and how long to wait before the next try."""

from __future__ import annotations

import email.utils
import random
import time

from ._errors import APIConnectionError, APIError, RateLimitError, ServiceUnavailableError

BASE_DELAY = 0.25
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


def retryable(error: APIError) -> bool:
    """429, 502, 503, connection failures and timeouts (GraphQL Throttling/ServiceUnavailable too)."""
    if isinstance(error, RateLimitError | ServiceUnavailableError | APIConnectionError):
        return True
    return error.status in (429, 502, 503)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (a number, or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def delay(attempt: int, retry_after: float | None) -> float:
    """Seconds before retry number ``attempt + 1``: Retry-After when given, else backoff with jitter."""
    if retry_after is not None:
        return min(retry_after, MAX_RETRY_AFTER) + random.uniform(0, 0.1)
    ceiling = min(MAX_DELAY, BASE_DELAY * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)
