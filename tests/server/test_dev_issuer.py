"""The development issuer on a server started without ICGPU_PUBLIC_URL (as `make run PORT=...` does).

The discovery document advertises the URL the request reached; tokens minted by `icgpu auth token`
(which does not know the port) and by the first start are accepted; one person is one account
whichever command minted their token; a token signed by another data dir's key is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from icgpu.auth.dev_issuer import DevIssuer
from icgpu.settings import Settings
from tests.support.auth import assert_error, decode_segment, dev_key, rsa_token
from tests.support.server import Server

DISCOVERY = "/dev-oidc/.well-known/openid-configuration"


class BareServer(Server):
    """A test server whose environment has no ICGPU_PUBLIC_URL, like a developer's `make run`."""

    def env(self) -> dict[str, str]:
        env = super().env()
        env.pop("ICGPU_PUBLIC_URL", None)
        return env


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = BareServer(tmp=Path(tmp_path_factory.mktemp("bare"))).start()
    try:
        yield srv
    finally:
        srv.stop()


def me(server: Server, credential: str) -> dict[str, Any]:
    with server.client(credential) as c:
        r = c.get("/api/v1/me")
    assert r.status_code == 200, r.text
    return dict(r.json())


def account_id(server: Server, credential: str) -> str:
    body = me(server, credential)
    return str(body["id"])


def printed_exports(server: Server) -> dict[str, str]:
    """The `export NAME=value` lines the first start printed."""
    return dict(re.findall(r"^export (ICGPU_[A-Z_]+)=(\S+)$", server.log(), flags=re.MULTILINE))


def test_discovery_advertises_the_url_the_request_reached(bare: Server) -> None:
    with httpx.Client(timeout=10.0) as c:
        doc = c.get(bare.url + DISCOVERY).json()
        assert doc["issuer"] == f"http://127.0.0.1:{bare.port}/dev-oidc"
        assert doc["jwks_uri"] == f"http://127.0.0.1:{bare.port}/dev-oidc/jwks"
        # The advertised JWKS is really there, and holds the key the data dir's issuer signs with.
        keys = c.get(doc["jwks_uri"]).json()["keys"]
        assert [k["kid"] for k in keys] == [DevIssuer(Settings(data_dir=bare.tmp / "data")).kid]
        # Reached under another name, it says that name: never the default port 8000.
        other = c.get(bare.url + DISCOVERY, headers={"Host": f"localhost:{bare.port}"}).json()
        assert other["issuer"] == f"http://localhost:{bare.port}/dev-oidc"
        assert other["jwks_uri"] == f"http://localhost:{bare.port}/dev-oidc/jwks"


def test_public_url_wins_when_set(make_server: Any) -> None:
    srv: Server = make_server(ICGPU_PUBLIC_URL="https://gpu.example.test/")
    with httpx.Client(timeout=10.0) as c:
        doc = c.get(srv.url + DISCOVERY).json()
    assert doc["issuer"] == "https://gpu.example.test/dev-oidc"
    assert doc["jwks_uri"] == "https://gpu.example.test/dev-oidc/jwks"
    # The CLI mints against the same URL, and the server accepts its tokens.
    token = srv.token("pub-co", "pub@example.com")
    assert decode_segment(token, 1)["iss"] == "https://gpu.example.test/dev-oidc"
    assert me(srv, token)["email"] == "pub@example.com"


def test_first_start_prints_exports_that_work_on_this_port(bare: Server) -> None:
    exports = printed_exports(bare)
    assert set(exports) == {"ICGPU_URL", "ICGPU_API_KEY", "ICGPU_TOKEN"}, bare.log()[-2000:]
    assert exports["ICGPU_URL"] == bare.url
    assert exports["ICGPU_API_KEY"].startswith("sk-ic-")
    # The first start knows its port: its token names the URL the discovery document advertises.
    assert decode_segment(exports["ICGPU_TOKEN"], 1)["iss"] == f"http://127.0.0.1:{bare.port}/dev-oidc"
    owner = account_id(bare, exports["ICGPU_API_KEY"])
    assert account_id(bare, exports["ICGPU_TOKEN"]) == owner
    # The CLI's token for the same owner (it cannot know the port) is the same account.
    cli_token = bare.token("default", "owner@example.com")
    assert decode_segment(cli_token, 1)["iss"] == "http://127.0.0.1:8000/dev-oidc"
    assert account_id(bare, cli_token) == owner


def test_bootstrap_then_auth_token_is_the_same_account(bare: Server) -> None:
    boot = bare.bootstrap("same-co", "alice@example.com")
    assert account_id(bare, boot["oidc_token"]) == boot["account_id"]
    # Email case and spaces do not make another person.
    for email in ("alice@example.com", "  Alice@Example.COM "):
        assert account_id(bare, bare.token("same-co", email)) == boot["account_id"]
    assert me(bare, boot["api_key"])["email"] == "alice@example.com"


def test_auth_token_then_bootstrap_is_the_same_account(bare: Server) -> None:
    token = bare.token("first-co", "bob@example.com")
    first = account_id(bare, token)  # created on this first sign-in
    boot = bare.bootstrap("first-co", "bob@example.com")
    assert boot["account_id"] == first
    assert account_id(bare, boot["oidc_token"]) == first
    assert account_id(bare, token) == first


def test_loopback_urls_of_the_dev_issuer_are_accepted(bare: Server) -> None:
    dev = DevIssuer(Settings(data_dir=bare.tmp / "data"))
    boot = bare.bootstrap("loop-co", "carol@example.com")
    for iss in ("http://127.0.0.1:8000/dev-oidc", f"http://localhost:{bare.port}/dev-oidc",
                "http://[::1]:9000/dev-oidc", "http://127.0.0.2/dev-oidc"):
        token = dev.mint(subject="dev:loop-co/carol@example.com", email="carol@example.com", tenant="loop-co",
                         issuer=iss)
        assert account_id(bare, token) == boot["account_id"], iss


@pytest.mark.parametrize("iss", [
    "https://evil.example/dev-oidc",
    "http://127.0.0.1.evil.example:8000/dev-oidc",
    "http://localhost@evil.example/dev-oidc",
    "http://user@127.0.0.1:8000/dev-oidc",
    "http://127.0.0.1:8000/other-issuer",
    "http://127.0.0.1:8000/dev-oidc/",
    "http://127.0.0.1:99999/dev-oidc",
    "ftp://127.0.0.1/dev-oidc",
    "http://10.0.0.1:8000/dev-oidc",
])
def test_other_issuer_urls_are_refused_even_with_the_right_key(bare: Server, iss: str) -> None:
    dev = DevIssuer(Settings(data_dir=bare.tmp / "data"))
    token = dev.mint(subject="dev:x/x@example.com", email="x@example.com", tenant="x", issuer=iss)
    with bare.client(token) as c:
        err = assert_error(c.get("/api/v1/me"), 401, "AuthenticationError", code="InvalidToken")
    assert "iss" in err["message"]


def test_a_token_from_another_data_dir_is_refused(bare: Server, tmp_path: Path) -> None:
    """Same issuer URL, same claims, another data dir's key: refused (the key is the issuer's identity)."""
    stranger = DevIssuer(Settings(data_dir=tmp_path / "other-data"))
    ours = DevIssuer(Settings(data_dir=bare.tmp / "data"))
    assert stranger.kid != ours.kid
    forged = stranger.mint(subject="dev:default/owner@example.com", email="owner@example.com", tenant="default")
    with bare.client(forged) as c:
        assert_error(c.get("/api/v1/me"), 401, "AuthenticationError", code="InvalidToken")
    # Even when it claims our key id.
    claims = decode_segment(forged, 1)
    other_key = RSAKey.import_key((tmp_path / "other-data" / "dev-oidc-key.pem").read_bytes())
    with bare.client(rsa_token(claims, other_key, ours.kid)) as c:
        assert_error(c.get("/api/v1/me"), 401, "AuthenticationError", code="InvalidToken")
    # The genuine key with the same claims is accepted: the key, not the claims, made the difference.
    with bare.client(rsa_token(claims, dev_key(bare), ours.kid)) as c:
        assert c.get("/api/v1/me").status_code == 200
