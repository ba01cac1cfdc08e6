"""Fixtures for the SDK suites: an ICGPU client on a fresh tenant of the module's server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from ic_gpu import ICGPU

from tests.support.server import Server


@pytest.fixture
def fresh_key(server: Server) -> str:
    """An API key (full permissions) of a new tenant: lists start empty."""
    return str(server.bootstrap(f"sdk-{uuid.uuid4().hex[:8]}", f"sdk-{uuid.uuid4().hex[:8]}@example.com")["api_key"])


@pytest.fixture
def client(server: Server, fresh_key: str) -> Iterator[ICGPU]:
    with ICGPU(api_key=fresh_key, base_url=server.url, timeout=30) as c:
        yield c
