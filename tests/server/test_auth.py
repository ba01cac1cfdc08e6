"""Authentication over real HTTP: bad credentials are 401 and write nothing; API key scopes and
permissions are enforced on REST and GraphQL; first OIDC sign-in creates the account; an external
OIDC issuer (our own, on 127.0.0.1) is trusted, including after it rotates its signing key."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from icgpu.auth.dev_issuer import DevIssuer
from icgpu.db.base import utcnow
from tests.support.auth import (
    accounts_of,
    assert_error,
    db_counts,
    decode_segment,
    dev_issuer,
    dev_key,
    hmac_token,
    insert_api_key,
    rsa_token,
    unsigned_token,
    update_api_key,
)
from tests.support.graphql import gql_refused
from tests.support.oidc_issuer import OIDCIssuer, new_key
from tests.support.server import Server, wait_for
from tests.support.tenants import Tenant, open_tenant

KEY_CACHE_SECONDS = 5.0  # the server's default ICGPU_API_KEY_CACHE_SECONDS

BODY = {"name": "must-not-exist", "tier": "mig"}
CREATE_MUTATION = """
mutation Create($input: CreateInstanceInput!) {
  createInstance(input: $input) { dryRun instance { id name } }
}
"""


@pytest.fixture(scope="module")
def dev(server: Server) -> DevIssuer:
    return dev_issuer(server)


@pytest.fixture(scope="module")
def victim(server: Server) -> Iterator[Tenant]:
    """A tenant with no instances that bad credentials name; shared because nothing may change it."""
    with open_tenant(server, "victim-co", "victim@example.com") as tenant:
        yield tenant


def claims_for(dev: DevIssuer, who: Tenant, **overrides: Any) -> dict[str, Any]:
    """Valid dev-issuer claims naming ``who`` (so an accepted write would land in its tenant)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": dev.issuer, "aud": "icgpu", "sub": f"dev:{who.name}@example.com",
        "email": f"{who.name}@example.com", "tenant": who.name,
        "iat": now, "nbf": now, "exp": now + 600, "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def assert_rejected(server: Server, who: Tenant, authorization: str | None, *, code: str | None = None,
                    message_has: str | None = None) -> None:
    """401 on create (with an idempotency key), list and GraphQL; nothing at all was written."""
    before = db_counts(server, who.name)
    headers = {"Authorization": authorization} if authorization is not None else {}
    with server.client() as c:
        r = c.post("/api/v1/instances", json=BODY, headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        err = assert_error(r, 401, "AuthenticationError", code=code)
        if message_has:
            assert message_has in err["message"], err
        assert_error(c.get("/api/v1/instances", headers=headers), 401, "AuthenticationError", code=code)
        if authorization is None:
            # No credential: the operation runs and the mutation field answers the error.
            g = c.post("/graphql", json={"query": CREATE_MUTATION, "variables": {"input": BODY}})
            assert g.status_code == 200, g.text
            assert g.json()["data"] is None, g.text
            assert [e["extensions"]["code"] for e in g.json()["errors"]] == ["AuthenticationError"], g.text
        else:
            # A credential that is not valid: refused with 401 before the operation runs.
            c.headers.update(headers)
            g_err = gql_refused(c, CREATE_MUTATION, {"input": BODY}, status=401)
            assert g_err["extensions"]["code"] == "AuthenticationError", g_err
            if code is not None:
                assert g_err["extensions"]["reason"] == code, g_err
    assert db_counts(server, who.name) == before
    assert who.api.get("/api/v1/instances").json()["instances"] == []


# -- OIDC tokens from the dev issuer -------------------------------------------------------------

def test_hand_built_dev_token_is_accepted(server: Server, dev: DevIssuer, victim: Tenant) -> None:
    """The control for the bad-token cases below: the same construction with good values works."""
    token = rsa_token(claims_for(dev, victim), dev_key(server), dev.kid)
    with server.client(token) as c:
        r = c.get("/api/v1/instances")
        assert r.status_code == 200, r.text
        assert r.json() == {"instances": [], "nextToken": None}
    # The scheme is case-insensitive (RFC 6750), and "aud" may be a list that includes us.
    with server.client() as c:
        assert c.get("/api/v1/instances", headers={"Authorization": f"bearer {token}"}).status_code == 200
    listed_aud = rsa_token(claims_for(dev, victim, aud=["another-service", "icgpu"]), dev_key(server), dev.kid)
    with server.client(listed_aud) as c:
        assert c.get("/api/v1/instances").status_code == 200
    # Within the 30 s leeway a just-expired token still works.
    late = rsa_token(claims_for(dev, victim, exp=int(time.time()) - 5), dev_key(server), dev.kid)
    with server.client(late) as c:
        assert c.get("/api/v1/instances").status_code == 200


def _basic() -> str:
    return "Basic " + base64.b64encode(b"alice:secret").decode()


BadHeader = Callable[[Server, DevIssuer, Tenant], str | None]

BAD_HEADERS: dict[str, tuple[BadHeader, str | None, str | None]] = {
    # name: (authorization header, expected error code, expected message fragment)
    "missing-header": (lambda s, d, a: None, "MissingCredentials", None),
    "basic-scheme": (lambda s, d, a: _basic(), "MissingCredentials", None),
    "token-scheme-with-valid-token": (lambda s, d, a: f"Token {a.token}", "MissingCredentials", None),
    "api-key-without-scheme": (lambda s, d, a: a.api_key, "MissingCredentials", None),
    "bearer-without-token": (lambda s, d, a: "Bearer", "MissingCredentials", None),
    "garbage": (lambda s, d, a: "Bearer not-a-token", "InvalidToken", None),
    "garbage-three-parts": (lambda s, d, a: "Bearer aaa.bbb.ccc", "InvalidToken", None),
    "alg-none": (
        lambda s, d, a: "Bearer " + unsigned_token({"alg": "none", "typ": "JWT", "kid": d.kid},
                                                   claims_for(d, a)),
        "InvalidToken", "'none'"),
    "alg-none-with-stolen-signature": (
        lambda s, d, a: "Bearer " + unsigned_token({"alg": "none", "typ": "JWT", "kid": d.kid},
                                                   claims_for(d, a)) + a.token.split(".")[2],
        "InvalidToken", None),
    "alg-hs256-with-public-key-as-secret": (
        lambda s, d, a: "Bearer " + hmac_token(
            {"alg": "HS256", "typ": "JWT", "kid": d.kid}, claims_for(d, a),
            RSAKey.import_key(d.jwks()["keys"][0]).as_pem(private=False)),
        "InvalidToken", "'HS256'"),
    "foreign-rsa-key-same-kid": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a), new_key(), d.kid),
        "InvalidToken", "signature"),
    "tampered-payload": (
        lambda s, d, a: "Bearer " + ".".join([
            a.token.split(".")[0],
            unsigned_token({}, {**decode_segment(a.token, 1), "tenant": "someone-else"}).split(".")[1],
            a.token.split(".")[2]]),
        "InvalidToken", "signature"),
    "expired": (
        lambda s, d, a: "Bearer " + rsa_token(
            claims_for(d, a, iat=int(time.time()) - 3600, nbf=int(time.time()) - 3600,
                       exp=int(time.time()) - 120), dev_key(s), d.kid),
        "InvalidToken", "expired"),
    "expired-via-dev-issuer-mint": (
        lambda s, d, a: "Bearer " + d.mint(subject="dev:x@example.com", email="x@example.com", tenant=a.name,
                                           exp=int(time.time()) - 300),
        "InvalidToken", "expired"),
    "not-yet-valid": (
        lambda s, d, a: "Bearer " + rsa_token(
            claims_for(d, a, nbf=int(time.time()) + 600, exp=int(time.time()) + 1200), dev_key(s), d.kid),
        "InvalidToken", "not yet valid"),
    "wrong-audience": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, aud="another-service"), dev_key(s), d.kid),
        "InvalidToken", "aud"),
    "wrong-audience-list": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, aud=["another-service", "third"]), dev_key(s),
                                              d.kid),
        "InvalidToken", "aud"),
    "wrong-issuer": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, iss="https://evil.example/dev-oidc"),
                                              dev_key(s), d.kid),
        "InvalidToken", "iss"),
    "no-expiry": (
        lambda s, d, a: "Bearer " + rsa_token({k: v for k, v in claims_for(d, a).items() if k != "exp"},
                                              dev_key(s), d.kid),
        "InvalidToken", "exp"),
    "missing-tenant-claim": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, tenant=None), dev_key(s), d.kid),
        "InvalidToken", "'tenant'"),
    "empty-tenant-claim": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, tenant=""), dev_key(s), d.kid),
        "InvalidToken", "'tenant'"),
    "missing-email-claim": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, email=None), dev_key(s), d.kid),
        "InvalidToken", "'email'"),
    # Correctly signed, but the claims cannot name an account: 401 (not a 400 or a database error).
    "tenant-claim-not-a-string": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, tenant=["a", "b"]), dev_key(s), d.kid),
        "InvalidToken", "'tenant'"),
    "tenant-claim-too-long": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, tenant="t" * 101), dev_key(s), d.kid),
        "InvalidToken", "'tenant'"),
    "tenant-claim-with-nul": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, tenant=a.name + "\u0000"), dev_key(s), d.kid),
        "InvalidToken", "'tenant'"),
    "email-claim-not-a-string": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, email=["x@example.com"]), dev_key(s), d.kid),
        "InvalidToken", "'email'"),
    "email-claim-too-long": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, email="e" * 320 + "@example.com"), dev_key(s),
                                              d.kid),
        "InvalidToken", "'email'"),
    "email-claim-with-nul": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, email="x\u0000@example.com"), dev_key(s), d.kid),
        "InvalidToken", "'email'"),
    "subject-too-long": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, sub="s" * 600), dev_key(s), d.kid),
        "InvalidToken", "'sub'"),
    "subject-with-newline": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, sub="dev:x\ny"), dev_key(s), d.kid),
        "InvalidToken", "'sub'"),
    "subject-not-a-string": (
        lambda s, d, a: "Bearer " + rsa_token(claims_for(d, a, sub=12345), dev_key(s), d.kid),
        "InvalidToken", "sub"),
}


@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_bad_credentials_are_401_and_write_nothing(server: Server, dev: DevIssuer, victim: Tenant,
                                                   case: str) -> None:
    make, code, fragment = BAD_HEADERS[case]
    assert_rejected(server, victim, make(server, dev, victim), code=code, message_has=fragment)


def test_request_id_in_401_body_is_the_callers(server: Server) -> None:
    with server.client() as c:
        r = c.get("/api/v1/instances", headers={"X-Request-Id": "trace-abc-123"})
    err = assert_error(r, 401, "AuthenticationError")
    assert err["request_id"] == "trace-abc-123"


# -- API keys ------------------------------------------------------------------------------------

def test_valid_api_key_works(server: Server, alice: Tenant) -> None:
    r = alice.key_api.post("/api/v1/instances", json={"name": "via-key", "tier": "timesliced"})
    assert r.status_code == 201, r.text
    listed = alice.key_api.get("/api/v1/instances").json()["instances"]
    assert [i["id"] for i in listed] == [r.json()["id"]]
    # The same account is behind the OIDC token.
    assert [i["id"] for i in alice.api.get("/api/v1/instances").json()["instances"]] == [r.json()["id"]]


def test_unknown_api_key_is_401(server: Server, victim: Tenant) -> None:
    assert_rejected(server, victim, "Bearer sk-ic-" + "A" * 43, code="InvalidApiKey")
    # One character off a real key is just as unknown.
    off_by_one = victim.api_key[:-1] + ("a" if victim.api_key[-1] != "a" else "b")
    assert_rejected(server, victim, f"Bearer {off_by_one}", code="InvalidApiKey")


def refused_within_cache_bound(server: Server, key: str) -> None:
    """A key changed behind the server's back (as another server process would revoke it) is
    refused within the API-key cache's bound (ICGPU_API_KEY_CACHE_SECONDS, 5 s by default)."""
    started = time.monotonic()
    with server.client(key) as c:
        wait_for(lambda: c.get("/api/v1/instances").status_code == 401, timeout=KEY_CACHE_SECONDS + 3,
                 interval=0.1, what="the changed key to be refused")
    assert time.monotonic() - started <= KEY_CACHE_SECONDS + 3


def test_revoked_api_key_is_401(server: Server, victim: Tenant) -> None:
    key = insert_api_key(server, victim.account_id, scopes=["instances"], permissions=["read", "write"])
    with server.client(key) as c:
        assert c.get("/api/v1/instances").status_code == 200
    update_api_key(server, key, revoked_at=utcnow())
    refused_within_cache_bound(server, key)
    assert_rejected(server, victim, f"Bearer {key}", code="ApiKeyRevoked")


def test_expired_api_key_is_401(server: Server, victim: Tenant) -> None:
    expired = insert_api_key(server, victim.account_id, scopes=["instances"], permissions=["read", "write"],
                             expires_at=utcnow() - timedelta(minutes=1))
    assert_rejected(server, victim, f"Bearer {expired}", code="ApiKeyExpired")
    valid = insert_api_key(server, victim.account_id, scopes=["instances"], permissions=["read"],
                           expires_at=utcnow() + timedelta(days=1))
    with server.client(valid) as c:
        assert c.get("/api/v1/instances").status_code == 200
    update_api_key(server, valid, expires_at=utcnow() - timedelta(seconds=1))
    refused_within_cache_bound(server, valid)
    assert_rejected(server, victim, f"Bearer {valid}", code="ApiKeyExpired")


def graphql_create(c: Any, name: str) -> dict[str, Any]:
    r = c.post("/graphql", json={"query": CREATE_MUTATION, "variables": {"input": {"name": name, "tier": "mig"}}})
    assert r.status_code == 200, r.text
    assert "Traceback" not in r.text
    return dict(r.json())


def test_key_without_instances_scope_is_403_everywhere(server: Server, victim: Tenant) -> None:
    key = insert_api_key(server, victim.account_id, scopes=["models"], permissions=["read"])
    before = db_counts(server, victim.name)
    with server.client(key) as c:
        assert_error(c.post("/api/v1/instances", json=BODY), 403, "AccessDeniedException")
        assert_error(c.get("/api/v1/instances"), 403, "AccessDeniedException")
        assert_error(c.get("/api/v1/instances/inst-doesnotexist"), 403, "AccessDeniedException")
        body = graphql_create(c, "gql-denied")
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["AccessDeniedException"], body
        q = c.post("/graphql", json={"query": "{ instances { items { id } } }"}).json()
        assert q["data"] is None and q["errors"][0]["extensions"]["code"] == "AccessDeniedException", q
        # The public catalogue needs no scope.
        assert c.get("/api/v1/gpu-tiers").status_code == 200
    assert db_counts(server, victim.name) == before


def test_read_only_instances_key_can_list_but_not_write(server: Server, alice: Tenant) -> None:
    inst = alice.api.post("/api/v1/instances", json={"name": "owned", "tier": "mig"}).json()
    key = insert_api_key(server, alice.account_id, scopes=["instances"], permissions=["read"])
    before = db_counts(server, alice.name)
    with server.client(key) as c:
        r = c.get("/api/v1/instances")
        assert r.status_code == 200, r.text
        assert [i["id"] for i in r.json()["instances"]] == [inst["id"]]
        assert c.get(f"/api/v1/instances/{inst['id']}").status_code == 200
        assert_error(c.post("/api/v1/instances", json=BODY), 403, "AccessDeniedException",
                     code="PermissionNotGranted")
        for verb in ("stop", "start", "requeue"):
            assert_error(c.post(f"/api/v1/instances/{inst['id']}/{verb}"), 403, "AccessDeniedException")
        assert_error(c.delete(f"/api/v1/instances/{inst['id']}"), 403, "AccessDeniedException")
        body = graphql_create(c, "gql-read-only")
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["AccessDeniedException"], body
        q = c.post("/graphql", json={"query": "{ instances { items { id } } }"}).json()
        assert q.get("errors") is None and [i["id"] for i in q["data"]["instances"]["items"]] == [inst["id"]], q
    after = db_counts(server, alice.name)
    # The reconciler may have moved the instance along meanwhile (its own events); nothing else changed.
    assert {k: v for k, v in after.items() if k != "tenant_events"} == \
           {k: v for k, v in before.items() if k != "tenant_events"}
    assert alice.api.get(f"/api/v1/instances/{inst['id']}").json()["status"] != "terminated"


def test_write_key_with_full_scope_creates_over_graphql(server: Server, alice: Tenant) -> None:
    key = insert_api_key(server, alice.account_id, scopes=["instances"], permissions=["read", "write"])
    with server.client(key) as c:
        body = graphql_create(c, "gql-ok")
    assert body.get("errors") is None, body
    assert body["data"]["createInstance"]["instance"]["name"] == "gql-ok"


# -- first OIDC sign-in --------------------------------------------------------------------------

def test_first_login_creates_account_in_existing_tenant(server: Server, dev: DevIssuer, alice: Tenant) -> None:
    owned = alice.api.post("/api/v1/instances", json={"name": "alices", "tier": "mig"})
    assert owned.status_code == 201
    before = db_counts(server)
    email = f"new-member-{uuid.uuid4().hex[:6]}@example.com"
    token = dev.mint(subject=f"dev:{email}", email=email, tenant=alice.name)
    with server.client(token) as c:
        r = c.get("/api/v1/instances")
        assert r.status_code == 200, r.text
        assert r.json() == {"instances": [], "nextToken": None}  # not alice's instance
        assert c.get("/api/v1/instances").status_code == 200  # the second request reuses the account
    after = db_counts(server)
    assert after["accounts"] == before["accounts"] + 1
    assert after["tenants"] == before["tenants"]
    assert email in accounts_of(server, alice.name)


def test_first_login_creates_a_new_tenant(server: Server, dev: DevIssuer) -> None:
    tenant = f"brand-new-{uuid.uuid4().hex[:8]}"
    before = db_counts(server)
    token = server.token(tenant, "founder@example.com")  # the CLI, through the dev issuer
    with server.client(token) as c:
        r = c.get("/api/v1/instances")
        assert r.status_code == 200, r.text
        assert r.json() == {"instances": [], "nextToken": None}
        created = c.post("/api/v1/instances", json={"name": "first", "tier": "timesliced"})
        assert created.status_code == 201, created.text
    after = db_counts(server)
    assert after["tenants"] == before["tenants"] + 1
    assert after["accounts"] == before["accounts"] + 1
    assert accounts_of(server, tenant) == ["founder@example.com"]


def test_identity_stays_in_its_tenant(server: Server, dev: DevIssuer) -> None:
    """A subject bound to one tenant's account is refused when a token names another tenant."""
    first, second = f"home-{uuid.uuid4().hex[:8]}", f"away-{uuid.uuid4().hex[:8]}"
    subject = f"sub-{uuid.uuid4().hex}"
    with server.client(dev.mint(subject=subject, email="wanderer@example.com", tenant=first)) as c:
        assert c.get("/api/v1/me").json()["tenant"]["name"] == first
    before = db_counts(server)
    with server.client(dev.mint(subject=subject, email="wanderer@example.com", tenant=second)) as c:
        r = c.get("/api/v1/me")
    assert_error(r, 401, "AuthenticationError", code="TenantMismatch")
    assert db_counts(server) == before  # no tenant or account was made for the other name
    # The CLI's default subject is per tenant, so the same email in two tenants is two accounts.
    for tenant in (first, second):
        with server.client(server.token(tenant, "both@example.com")) as c:
            assert c.get("/api/v1/me").json()["tenant"]["name"] == tenant


# -- an external OIDC issuer ---------------------------------------------------------------------

@pytest.fixture
def issuer() -> Iterator[OIDCIssuer]:
    iss = OIDCIssuer(audience="icgpu-test").start()
    try:
        yield iss
    finally:
        iss.stop()


def test_external_issuer_and_key_rotation(issuer: OIDCIssuer, make_server: Any) -> None:
    srv: Server = make_server(ICGPU_OIDC_ISSUER=issuer.url, ICGPU_OIDC_AUDIENCE="icgpu-test",
                              ICGPU_OIDC_JWKS_MIN_REFRESH_SECONDS="0")
    first_key = issuer.current
    token = issuer.mint(subject="ext-1", email="ext@example.com", tenant="ext-co")
    with srv.client(token) as c:
        r = c.get("/api/v1/instances")
        assert r.status_code == 200, r.text
        assert r.json()["instances"] == []
        created = c.post("/api/v1/instances", json={"name": "ext-job", "tier": "mig"})
        assert created.status_code == 201, created.text
        # Let the reconciler finish with it, so later event counts only move if we write.
        wait_for(lambda: c.get(f"/api/v1/instances/{created.json()['id']}").json()["status"] == "running",
                 what="instance running")
    fetches = issuer.jwks_fetches
    assert fetches >= 1

    # The issuer rotates: a token under the new kid makes the server fetch the JWKS again.
    issuer.rotate()
    assert issuer.current.kid != first_key.kid
    rotated = issuer.mint(subject="ext-1", email="ext@example.com", tenant="ext-co")
    with srv.client(rotated) as c:
        r = c.get("/api/v1/instances")
        assert r.status_code == 200, r.text
        assert [i["id"] for i in r.json()["instances"]] == [created.json()["id"]]
    assert issuer.jwks_fetches > fetches

    assert accounts_of(srv, "ext-co") == ["ext@example.com"]  # the same account under either key

    # The old key is no longer published: its tokens are refused once the server knows that.
    old = issuer.mint(subject="ext-2", email="old@example.com", tenant="ext-co", key=first_key)
    before = db_counts(srv, "ext-co")
    with srv.client(old) as c:
        assert_error(c.post("/api/v1/instances", json=BODY), 401, "AuthenticationError", code="InvalidToken")

    # A kid the issuer never published.
    stranger = new_key()
    unknown = rsa_token(issuer.claims(subject="ext-3", email="x@example.com", tenant="ext-co"), stranger,
                        stranger.kid)
    with srv.client(unknown) as c:
        err = assert_error(c.post("/api/v1/instances", json=BODY), 401, "AuthenticationError",
                           code="InvalidToken")
        assert "unknown key" in err["message"]
    # Right kid, wrong key material.
    forged = rsa_token(issuer.claims(subject="ext-1", email="ext@example.com", tenant="ext-co"), new_key(),
                       issuer.current.kid)
    with srv.client(forged) as c:
        assert_error(c.get("/api/v1/instances"), 401, "AuthenticationError", code="InvalidToken")
    # A token for another audience (the default one) from the trusted issuer.
    other_aud = issuer.mint(subject="ext-1", email="ext@example.com", tenant="ext-co", aud="icgpu")
    with srv.client(other_aud) as c:
        assert_error(c.get("/api/v1/instances"), 401, "AuthenticationError", code="InvalidToken")
    assert db_counts(srv, "ext-co") == before

    # The development issuer is off: no dev tokens from the CLI, no dev JWKS, no dev tokens accepted.
    out = srv.cli("auth", "token", "--tenant", "ext-co", "--email", "ext@example.com", check=False)
    assert out.returncode != 0
    assert "development issuer is off" in out.stderr
    assert out.stdout.strip() == ""
    with srv.client() as c:
        assert_error(c.get("/dev-oidc/jwks"), 404, "ResourceNotFoundException")
        assert_error(c.get("/dev-oidc/.well-known/openid-configuration"), 404, "ResourceNotFoundException")
    boot = srv.bootstrap("ext-co", "ops@example.com")
    assert boot["oidc_token"] is None and boot["api_key"].startswith("sk-ic-")
    with srv.client(boot["api_key"]) as c:  # API keys work with either issuer
        assert c.get("/api/v1/instances").status_code == 200
    # A token claiming to come from the (disabled) dev issuer is refused.
    forged_dev = rsa_token({**issuer.claims(subject="d", email="d@example.com", tenant="ext-co"),
                            "iss": srv.url + "/dev-oidc"}, new_key(), "dev-kid")
    with srv.client(forged_dev) as c:
        assert_error(c.get("/api/v1/instances"), 401, "AuthenticationError")


def test_unknown_kid_refetch_is_rate_limited(issuer: OIDCIssuer, make_server: Any) -> None:
    srv: Server = make_server(ICGPU_OIDC_ISSUER=issuer.url, ICGPU_OIDC_AUDIENCE="icgpu-test",
                              ICGPU_OIDC_JWKS_MIN_REFRESH_SECONDS="120")
    token = issuer.mint(subject="rl-1", email="rl@example.com", tenant="rl-co")
    with srv.client(token) as c:
        assert c.get("/api/v1/instances").status_code == 200
    assert issuer.jwks_fetches == 1
    with srv.client() as c:
        for _ in range(5):
            stranger = new_key()
            t = rsa_token(issuer.claims(subject="rl-x", email="x@example.com", tenant="rl-co"), stranger,
                          stranger.kid)
            assert_error(c.get("/api/v1/instances", headers={"Authorization": f"Bearer {t}"}), 401,
                         "AuthenticationError", code="InvalidToken")
    assert issuer.jwks_fetches == 1  # garbage kids do not make the server hammer the issuer
    with srv.client(token) as c:
        assert c.get("/api/v1/instances").status_code == 200


def test_unreachable_issuer_is_401_not_500(make_server: Any) -> None:
    dead = OIDCIssuer().start()
    url = dead.url
    dead.stop()  # nothing listens there any more
    srv: Server = make_server(ICGPU_OIDC_ISSUER=url, ICGPU_OIDC_AUDIENCE="icgpu-test")
    token = rsa_token({"iss": url, "aud": "icgpu-test", "sub": "s", "email": "e@example.com", "tenant": "t",
                       "exp": int(time.time()) + 600}, new_key(), "k1")
    with srv.client(token) as c:
        assert_error(c.get("/api/v1/instances"), 401, "AuthenticationError", code="JwksUnavailable")
