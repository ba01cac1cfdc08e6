"""Sliding-window rate limits per account on /api/v1: X-RateLimit-* headers, 429 and Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from tests.support.contracts import INSTANCES, assert_error, caller
from tests.support.server import Server

LIMIT = 5
WINDOW = 2
LIMITED = {
    "ICGPU_RATE_LIMIT_API": str(LIMIT),
    "ICGPU_RATE_LIMIT_WINDOW_SECONDS": str(WINDOW),
    # The LLM group (/v1) has a limit of its own; it must not apply to /api/v1.
    "ICGPU_RATE_LIMIT_LLM": "1",
}


def assert_quota_headers(r: httpx.Response, remaining: int) -> int:
    assert r.headers["x-ratelimit-limit"] == str(LIMIT), r.headers
    assert r.headers["x-ratelimit-remaining"] == str(remaining), r.headers
    reset = int(r.headers["x-ratelimit-reset"])
    assert 1 <= reset <= WINDOW, r.headers
    return reset


def use_up(api: httpx.Client) -> None:
    """Spend the whole allowance, checking the headers count down to zero (on errors too)."""
    for remaining in range(LIMIT - 1, -1, -1):
        if remaining == 2:
            r = api.get(f"{INSTANCES}/inst-missing")
            assert_error(r, 404, "ResourceNotFoundException")
        else:
            r = api.get(INSTANCES)
            assert r.status_code == 200, r.text
        assert_quota_headers(r, remaining)


def assert_throttled(r: httpx.Response) -> int:
    assert_error(r, 429, "ThrottlingException")
    retry = r.headers["retry-after"]
    assert retry.isdigit(), retry
    assert 1 <= int(retry) <= WINDOW
    assert_quota_headers(r, 0)
    return int(retry)


def test_limit_headers_429_and_recovery(make_server: Callable[..., Server]) -> None:
    server = make_server(**LIMITED)
    me = caller(server, "limited-co")
    other = caller(server, "unlimited-co")
    use_up(me.api)
    retry = assert_throttled(me.api.get(INSTANCES))
    # Every route of the group shares the allowance, writes included; a refused request is not counted.
    assert_throttled(me.api.post(INSTANCES, json={"name": "refused", "tier": "mig"}))
    assert_throttled(me.api.get(f"{INSTANCES}/inst-nothere"))
    # Another account has its own allowance.
    use_up(other.api)
    assert_throttled(other.api.get(INSTANCES))
    # Retry-After is honest: once it has passed, the account may send again.
    time.sleep(retry + 0.1)
    r = me.api.get(INSTANCES)
    assert r.status_code == 200, r.text
    # A whole window later every earlier request has left it.
    time.sleep(WINDOW + 0.1)
    r = me.api.get(INSTANCES)
    assert r.status_code == 200, r.text
    assert_quota_headers(r, LIMIT - 1)
    assert r.json()["instances"] == []  # the throttled create wrote nothing


def test_limit_is_per_account_across_credentials(make_server: Callable[..., Server]) -> None:
    server = make_server(**LIMITED)
    me = caller(server, "two-creds-co")
    # Token and API key belong to the same account: they draw on one allowance.
    for remaining, api in zip(range(LIMIT - 1, -1, -1), [me.api, me.key_api] * LIMIT, strict=False):
        r = api.get(INSTANCES)
        assert r.status_code == 200, r.text
        assert_quota_headers(r, remaining)
    assert_throttled(me.key_api.get(INSTANCES))
    assert_throttled(me.api.get(INSTANCES))
    # A second account in the same tenant is counted separately.
    teammate = server.client(server.token("two-creds-co", "teammate@example.com"))
    r = teammate.get(INSTANCES)
    assert r.status_code == 200, r.text
    assert_quota_headers(r, LIMIT - 1)
    teammate.close()


def test_unauthenticated_and_public_requests_do_not_spend_the_allowance(make_server: Callable[..., Server]) -> None:
    server = make_server(**LIMITED)
    me = caller(server, "public-co")
    anon, forged = server.client(), server.client("not-a-real-token")
    for _ in range(LIMIT + 2):
        assert anon.get("/api/v1/gpu-tiers").status_code == 200
        assert_error(anon.get(INSTANCES), 401, "AuthenticationError")
        assert_error(forged.get(INSTANCES), 401, "AuthenticationError")
    anon.close()
    forged.close()
    use_up(me.api)
    assert_throttled(me.api.get(INSTANCES))
