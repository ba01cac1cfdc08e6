"""Shared fixtures: a real server per test module, and tenants bootstrapped through the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import Server, backend
from tests.support.tenants import Tenant, bootstrap_tenant


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


_counter = iter(range(1_000_000))


@pytest.fixture
def tenant_factory(server: Server) -> Iterator[object]:
    made: list[Tenant] = []

    def make(name: str | None = None, email: str | None = None) -> Tenant:
        n = next(_counter)
        made.append(bootstrap_tenant(server, name or f"tenant{n}", email or f"owner{n}@example.com"))
        return made[-1]

    yield make
    for tenant in made:
        tenant.close()


@pytest.fixture
def alice(tenant_factory: object) -> Tenant:
    return tenant_factory()  # type: ignore[operator,no-any-return]
