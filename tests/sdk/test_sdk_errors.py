"""Error classes from real responses, retries, idempotency and the lost-secret rule, through the SDK.

5xx and connection failures come from the loopback proxy in tests/support/proxy.py, placed between
the SDK and the live server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ic_gpu import (
    ICGPU,
    APIConnectionError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SecretUnavailableError,
    ServiceUnavailableError,
    ValidationError,
)

from tests.support.proxy import Proxy
from tests.support.server import Server

# The SDK's behaviour does not depend on the server's database (tests/server covers the server on
# each): run once, in the SQLite run.
pytestmark = pytest.mark.db_independent


@pytest.fixture
def proxy(server: Server) -> Iterator[Proxy]:
    p = Proxy(upstream_port=server.port).start()
    try:
        yield p
    finally:
        p.stop()


def via(proxy: Proxy, key: str, retries: int = 2) -> ICGPU:
    return ICGPU(api_key=key, base_url=proxy.url, max_retries=retries, timeout=30)


def test_400_validation_names_the_field(client: ICGPU) -> None:
    with pytest.raises(ValidationError) as err:
        client.instances.create(name="x", tier="mig", ssh_key="not a key")
    e = err.value
    assert (e.status, e.type, e.code, e.field) == (400, "ValidationException", "InvalidSshKey", "sshKey")
    assert e.request_id and e.request_id.startswith("req-")


def test_401_403_404_409(server: Server, client: ICGPU) -> None:
    with ICGPU(api_key="icgpu_sk_not_a_real_key", base_url=server.url) as bad, \
            pytest.raises(AuthenticationError) as err:
        bad.me()
    assert err.value.status == 401 and err.value.type == "AuthenticationError"

    reader = client.api_keys.create(name="ro", scopes=["instances"], permissions=["read"]).key
    assert reader
    with ICGPU(api_key=reader, base_url=server.url) as ro, pytest.raises(PermissionDeniedError) as denied:
        ro.teams.create(name="nope")
    assert denied.value.status == 403 and denied.value.type == "AccessDeniedException"

    with pytest.raises(NotFoundError) as missing:
        client.instances.get("inst-000000000000")
    assert missing.value.status == 404

    client.teams.create(name="dup")
    with pytest.raises(ConflictError) as conflict:
        client.teams.create(name="dup")
    assert conflict.value.status == 409 and conflict.value.type == "ConflictException"


def test_throttling_is_retried_to_success_and_raised_when_retries_are_off(make_server: object,
                                                                          tmp_path: Path) -> None:
    srv: Server = make_server(ICGPU_RATE_LIMIT_API="2", ICGPU_RATE_LIMIT_WINDOW_SECONDS="1")  # type: ignore[operator]
    key = srv.bootstrap("throttled", "t@example.com")["api_key"]
    with ICGPU(api_key=key, base_url=srv.url, max_retries=0) as strict, pytest.raises(RateLimitError) as err:
        for _ in range(10):  # bounded: the limit is 2 per second
            strict.me()
    assert err.value.status == 429 and err.value.retry_after is not None
    with ICGPU(api_key=key, base_url=srv.url, max_retries=6) as patient:
        assert [patient.me().email for _ in range(6)] == ["t@example.com"] * 6


def test_502_and_503_are_retried_then_raised(proxy: Proxy, fresh_key: str) -> None:
    with via(proxy, fresh_key) as c:
        proxy.then("502", "503")
        assert c.me().credential_type == "api_key"
        assert [s.action for s in proxy.seen] == ["502", "503", "forward"]
    with via(proxy, fresh_key, retries=0) as c, pytest.raises(ServiceUnavailableError) as err:
        proxy.then("502")
        c.me()
    assert err.value.status == 502


def test_connection_errors_are_retried_then_raised(proxy: Proxy, fresh_key: str) -> None:
    with via(proxy, fresh_key) as c:
        proxy.then("refuse")
        assert c.gpu_tiers.list()
    with via(proxy, fresh_key, retries=1) as c, pytest.raises(APIConnectionError):
        proxy.then("refuse", "refuse")
        c.gpu_tiers.list()


def test_a_retried_create_creates_exactly_one_instance(proxy: Proxy, fresh_key: str) -> None:
    with via(proxy, fresh_key) as c:
        key = c.ssh_keys.generate(name="once").ssh_key.public_key
        proxy.seen.clear()
        proxy.then("drop")  # the server commits the create, the SDK never hears it
        made = c.instances.create(name="exactly-one", tier="mig", ssh_key=key).instance
        assert [s.action for s in proxy.seen] == ["drop", "forward"]
        keys = {s.headers["idempotency-key"] for s in proxy.seen}
        assert len(keys) == 1  # one Idempotency-Key, reused by the retry
        assert [i.id for i in c.instances.list()] == [made.id]

        proxy.seen.clear()
        c.instances.create(name="second", tier="mig", ssh_key=key)
        assert proxy.seen[0].headers["idempotency-key"] not in keys  # a new call, a new key


def test_a_lost_api_key_secret_raises_secret_unavailable(proxy: Proxy, fresh_key: str) -> None:
    with via(proxy, fresh_key) as c:
        proxy.then("drop")
        with pytest.raises(SecretUnavailableError) as err:
            c.api_keys.create(name="lost", scopes=["models"])
        assert err.value.resource_type == "API key"
        assert [k.id for k in c.api_keys.list() if k.name == "lost"] == [err.value.resource_id]

        proxy.then("drop")
        with pytest.raises(SecretUnavailableError) as ssh_err:
            c.ssh_keys.generate(name="lost-ssh")
        assert c.ssh_keys.get(ssh_err.value.resource_id).name == "lost-ssh"
