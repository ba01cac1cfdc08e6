"""The API-key principal cache (auth/key_cache.py): a key is checked against the database at most
once per ``ICGPU_API_KEY_CACHE_SECONDS``; revocation is immediate in the process that revokes, and
takes at most that long in another server process on the same database; expiry is checked on
every hit."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from icgpu.auth.key_cache import KeyCache
from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from tests.support.server import Server, wait_for

TTL = 2.0
INSTANCES = "/api/v1/instances"


def principal(key_id: str) -> Principal:
    return Principal(account_id="acc-1", tenant_id="tnt-1", email="a@example.com", role="owner", via="api_key",
                     api_key_id=key_id)


# -- the cache itself -------------------------------------------------------------------------------

def test_expiry_is_checked_on_every_hit() -> None:
    cache = KeyCache(ttl_seconds=300)
    now = utcnow()
    cache.put("d1", principal("ak-1"), expires_at=now + timedelta(seconds=1))
    assert cache.get("d1", now) == principal("ak-1")
    assert cache.get("d1", now + timedelta(seconds=1)) is None  # expired: refused even though cached
    assert cache.get("d1", now) is None  # and dropped


def test_entries_age_out_and_forget_drops_a_key() -> None:
    cache = KeyCache(ttl_seconds=0.2)
    now = utcnow()
    cache.put("d1", principal("ak-1"), None)
    cache.put("d2", principal("ak-2"), None)
    cache.forget("ak-1")
    assert cache.get("d1", now) is None and cache.get("d2", now) is not None
    deadline = time.monotonic() + 5
    while cache.get("d2", utcnow()) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get("d2", utcnow()) is None


def test_size_is_bounded_and_zero_ttl_caches_nothing() -> None:
    cache = KeyCache(ttl_seconds=60, max_entries=3)
    for i in range(5):
        cache.put(f"d{i}", principal(f"ak-{i}"), None)
    now = utcnow()
    assert [cache.get(f"d{i}", now) is not None for i in range(5)] == [False, False, True, True, True]
    off = KeyCache(ttl_seconds=0)
    off.put("d", principal("ak"), None)
    assert off.get("d", now) is None


# -- live: one process, then two on the same database --------------------------------------------------

@pytest.fixture
def pair(tmp_path: Path) -> Any:
    """Two server processes on one database, each with a TTL-second key cache."""
    env = {"ICGPU_API_KEY_CACHE_SECONDS": str(TTL)}
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
    first = Server(tmp=tmp_path / "a", extra_env=env).start()
    second = None
    try:
        second = Server(tmp=tmp_path / "b", extra_env=env, db_url=first.db_url).start()
        yield first, second
    finally:
        if second is not None:
            second.stop(drop=False)
        first.stop()


def test_revocation_is_immediate_here_and_bounded_elsewhere(pair: tuple[Server, Server]) -> None:
    first, second = pair
    boot = first.bootstrap("cache", "owner@example.com")
    with first.client(boot["api_key"]) as admin:
        made = admin.post("/api/v1/api-keys", json={"name": "doomed", "scopes": ["instances", "keys"],
                                                    "permissions": ["read", "write"]})
        assert made.status_code == 201, made.text
        key, key_id = made.json()["key"], made.json()["id"]
        with first.client(key) as here, second.client(key) as there:
            assert here.get(INSTANCES).status_code == 200
            assert there.get(INSTANCES).status_code == 200  # now cached in both processes
            assert admin.delete(f"/api/v1/api-keys/{key_id}").status_code == 200
            revoked_at = time.monotonic()
            # The revoking process refuses it at once.
            r = here.get(INSTANCES)
            assert r.status_code == 401 and r.json()["error"]["code"] == "ApiKeyRevoked", r.text
            # The other one still trusts its cached check for a moment (no database read per request) ...
            assert there.get(INSTANCES).status_code == 200
            # ... and refuses it within the documented bound.
            wait_for(lambda: there.get(INSTANCES).status_code == 401, timeout=TTL + 5, interval=0.05,
                     what="the other process to refuse the revoked key")
            assert time.monotonic() - revoked_at <= TTL + 1.0
            r = there.get(INSTANCES)
            assert r.status_code == 401 and r.json()["error"]["code"] == "ApiKeyRevoked", r.text
