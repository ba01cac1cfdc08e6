"""The built-in development OIDC issuer.

It signs RS256 tokens with a key kept in the data dir and publishes discovery and JWKS documents
from the server itself, so development and tests go through the same validation path as a real
identity provider.

Its identity is the key, not a URL: the CLI mints tokens without knowing the port the server runs
on. Tokens carry ``<ICGPU_PUBLIC_URL or http://127.0.0.1:8000>/dev-oidc`` (or a loopback URL on
another port, e.g. the one ``icgpu serve --port`` prints), and the validator accepts exactly those
(``accepts_issuer``); only a signature by this data dir's key makes a token valid. The discovery
document advertises the URL the request reached, unless ``ICGPU_PUBLIC_URL`` is set.
"""

from __future__ import annotations

import ipaddress
import os
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from icgpu.settings import DEV_ISSUER_PATH, Settings


def dev_subject(tenant: str, email: str) -> str:
    """The ``sub`` of a person's dev-issuer tokens: every command that mints one for them uses it."""
    return f"dev:{tenant.strip()}/{email.strip().lower()}"


def loopback_issuer_url(port: int) -> str:
    """The dev issuer's URL on this machine's loopback at ``port`` (what ``icgpu serve`` is reached at)."""
    return f"http://127.0.0.1:{port}{DEV_ISSUER_PATH}"


def accepts_issuer(settings: Settings, iss: str) -> bool:
    """Whether ``iss`` names this server's dev issuer: its configured URL, or any loopback URL of it."""
    if iss == settings.dev_issuer_url:
        return True
    try:
        url = urlsplit(iss)
        url.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if url.scheme not in ("http", "https") or url.path != DEV_ISSUER_PATH or url.query or url.fragment:
        return False
    if url.username is not None or url.password is not None:
        return False
    return _is_loopback(url.hostname or "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DevIssuer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.issuer = settings.dev_issuer_url
        self._key = RSAKey.import_key(_load_or_create_pem(settings.data_dir / "dev-oidc-key.pem"))
        self.kid = self._key.thumbprint()

    def advertised_issuer(self, request_base_url: str) -> str:
        """The issuer URL to publish: ``ICGPU_PUBLIC_URL``'s when set, else the one the request reached."""
        if self.settings.public_url:
            return self.issuer
        return request_base_url.rstrip("/") + DEV_ISSUER_PATH

    def discovery(self, request_base_url: str) -> dict[str, Any]:
        issuer = self.advertised_issuer(request_base_url)
        return {
            "issuer": issuer,
            "jwks_uri": issuer + "/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
        }

    def jwks(self) -> dict[str, Any]:
        public = dict(self._key.as_dict(private=False))
        public.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [public]}

    def mint(self, *, subject: str, email: str, tenant: str, issuer: str | None = None,
             **overrides: Any) -> str:
        """A signed token; ``overrides`` replace or add claims (tests use them for bad tokens)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "aud": self.settings.oidc_audience,
            "sub": subject,
            "email": email,
            self.settings.oidc_tenant_claim: tenant,
            "iat": now,
            "nbf": now,
            "exp": now + self.settings.dev_token_ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self._key)


def _load_or_create_pem(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another process created it first: theirs wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes()
