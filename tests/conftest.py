"""Shared fixtures: a real server per test module, and tenants bootstrapped through the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.server import Server, backend


def pytest_report_header() -> str:
    return f"icgpu test database backend: {backend()}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp=Path(tmp_path_factory.mktemp("srv"))).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def make_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Start servers with extra settings; all are stopped at the end of the test."""
    started: list[Server] = []

    def make(**env: str) -> Server:
        srv = Server(tmp=Path(tmp_path_factory.mktemp("srv")), extra_env=env).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@dataclass
class Tenant:
    name: str
    account_id: str
    api_key: str
    token: str
    api: httpx.Client  # authenticated with the OIDC token
    key_api: httpx.Client  # authenticated with the API key


_counter = iter(range(1_000_000))


@pytest.fixture
def tenant_factory(server: Server) -> Iterator[object]:
    clients: list[httpx.Client] = []

    def make(name: str | None = None, email: str | None = None) -> Tenant:
        n = next(_counter)
        name = name or f"tenant{n}"
        boot = server.bootstrap(name, email or f"owner{n}@example.com")
        api, key_api = server.client(boot["oidc_token"]), server.client(boot["api_key"])
        clients.extend([api, key_api])
        return Tenant(name, boot["account_id"], boot["api_key"], boot["oidc_token"], api, key_api)

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def alice(tenant_factory: object) -> Tenant:
    return tenant_factory()  # type: ignore[operator,no-any-return]
