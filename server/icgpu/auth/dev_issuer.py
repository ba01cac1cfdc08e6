"""The built-in development OIDC issuer.

It signs RS256 tokens with a key kept in the data dir and publishes discovery and JWKS documents
from the server itself, so development and tests go through the same validation path as a real
identity provider.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from icgpu.settings import Settings


class DevIssuer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.issuer = settings.dev_issuer_url
        self._key = RSAKey.import_key(_load_or_create_pem(settings.data_dir / "dev-oidc-key.pem"))
        self.kid = self._key.thumbprint()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": self.issuer + "/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
        }

    def jwks(self) -> dict[str, Any]:
        public = dict(self._key.as_dict(private=False))
        public.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [public]}

    def mint(self, *, subject: str, email: str, tenant: str, **overrides: Any) -> str:
        """A signed token; ``overrides`` replace or add claims (tests use them for bad tokens)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
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
