"""OIDC bearer-token validation against an issuer's published JWKS.

Discovery (``/.well-known/openid-configuration``) gives the JWKS URI; keys are cached and
fetched again when a token names a ``kid`` the cache lacks (rate-limited, so garbage tokens
cannot make us hammer the issuer). Only the configured asymmetric algorithms are accepted,
which rules out ``alg: none`` and HMAC confusion. The development issuer is accepted under its
configured URL and its loopback URLs (see ``dev_issuer.accepts_issuer``); the signature by its key
is what makes its tokens valid.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from icgpu.auth.dev_issuer import accepts_issuer
from icgpu.errors import AuthenticationError
from icgpu.settings import Settings


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str
    tenant: str


class OIDCValidator:
    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.issuer = settings.issuer
        self.http = http
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            fresh = time.monotonic() - self._fetched_at < self.settings.oidc_jwks_min_refresh_seconds
            if self._keys and (fresh or not force):
                return
            if fresh and force:
                return
            try:
                disc = await self.http.get(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
                disc.raise_for_status()
                jwks_uri = disc.json()["jwks_uri"]
                resp = await self.http.get(jwks_uri)
                resp.raise_for_status()
                keyset = KeySet.import_key_set(resp.json())
            except (httpx.HTTPError, KeyError, ValueError, JoseError) as exc:
                raise AuthenticationError(
                    "could not fetch the identity provider's signing keys", code="JwksUnavailable"
                ) from exc
            self._keys = {k.kid: k for k in keyset.keys if k.kid}
            self._fetched_at = time.monotonic()

    async def validate(self, token: str) -> Identity:
        try:
            header = extract_compact(token.encode()).protected
        except (JoseError, ValueError, json.JSONDecodeError) as exc:
            raise AuthenticationError("malformed bearer token", code="InvalidToken") from exc
        alg = header.get("alg")
        if alg not in self.settings.oidc_algorithms:
            raise AuthenticationError(f"token algorithm {alg!r} is not accepted", code="InvalidToken")
        kid = str(header.get("kid") or "")
        await self._refresh(force=False)
        if kid not in self._keys:
            await self._refresh(force=True)
        key = self._keys.get(kid)
        if key is None:
            raise AuthenticationError("token signed by an unknown key", code="InvalidToken")
        try:
            decoded = jwt.decode(token, key, algorithms=self.settings.oidc_algorithms)
        except (JoseError, ValueError) as exc:
            raise AuthenticationError("token signature is invalid", code="InvalidToken") from exc
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=self.settings.oidc_leeway_seconds,
            iss={"essential": True},
            aud={"essential": True, "value": self.settings.oidc_audience},
            sub={"essential": True},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise AuthenticationError(f"token rejected: {exc.description or exc.error}",
                                      code="InvalidToken") from exc
        if not self._accepts_issuer(claims["iss"]):
            raise AuthenticationError("token rejected: Invalid claim: 'iss'", code="InvalidToken")
        tenant = _text_claim(claims, self.settings.oidc_tenant_claim, TENANT_MAX)
        email = _text_claim(claims, self.settings.oidc_email_claim, EMAIL_MAX)
        subject = _text_claim(claims, "sub", SUBJECT_MAX)
        if tenant is None:
            raise AuthenticationError(
                f"token has no valid '{self.settings.oidc_tenant_claim}' claim", code="InvalidToken"
            )
        if email is None or "@" not in email:
            raise AuthenticationError(
                f"token has no valid '{self.settings.oidc_email_claim}' claim", code="InvalidToken"
            )
        if subject is None:
            raise AuthenticationError("token has no valid 'sub' claim", code="InvalidToken")
        # One issuer identity whatever URL the token names, so a person keeps one account.
        return Identity(issuer=self.issuer, subject=subject, email=email.lower(), tenant=tenant)

    def _accepts_issuer(self, iss: str) -> bool:
        if self.settings.dev_issuer_enabled:
            return accepts_issuer(self.settings, iss)
        return iss == self.issuer


# Claims become stored names: bounded (OIDC caps 'sub' at 255) and free of control characters.
TENANT_MAX = 100
EMAIL_MAX = 320
SUBJECT_MAX = 255


def _text_claim(claims: dict[str, Any], name: str, max_len: int) -> str | None:
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len or not value.isprintable():
        return None
    return value
