"""A tiny external OIDC issuer for tests: discovery and JWKS over HTTP on 127.0.0.1, keys we control.

It runs a threaded ``http.server`` in a background thread; ``stop()`` shuts it down and joins the
thread. ``rotate()`` publishes a new signing key (new ``kid``), optionally dropping the old one, and
``jwks_fetches`` counts how often the JWKS document was served.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey


def new_key() -> RSAKey:
    return RSAKey.generate_key(2048, auto_kid=True)


class OIDCIssuer:
    def __init__(self, audience: str = "icgpu-test") -> None:
        self.audience = audience
        self.keys: list[RSAKey] = [new_key()]  # published keys; the last one signs by default
        self.jwks_fetches = 0
        self.discovery_fetches = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def current(self) -> RSAKey:
        return self.keys[-1]

    @property
    def url(self) -> str:
        assert self._httpd is not None, "issuer not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- documents -------------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "jwks_uri": self.url + "/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
        }

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            keys = list(self.keys)
        out = []
        for k in keys:
            public = dict(k.as_dict(private=False))
            public.update(kid=str(k.kid), use="sig", alg="RS256")
            out.append(public)
        return {"keys": out}

    # -- keys and tokens -------------------------------------------------------------------------

    def rotate(self, *, keep_old: bool = False) -> RSAKey:
        key = new_key()
        with self._lock:
            self.keys = [*self.keys, key] if keep_old else [key]
        return key

    def claims(self, *, subject: str, email: str, tenant: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": self.audience,
            "sub": subject,
            "email": email,
            "tenant": tenant,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return claims

    def mint(self, *, subject: str, email: str, tenant: str, key: RSAKey | None = None,
             **overrides: Any) -> str:
        """A token signed by ``key`` (default: the newest published key) under that key's kid."""
        key = key or self.current
        header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
        return jwt.encode(header, self.claims(subject=subject, email=email, tenant=tenant, **overrides), key)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> OIDCIssuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    with issuer._lock:
                        issuer.discovery_fetches += 1
                    self._json(200, issuer.discovery())
                elif self.path == "/jwks":
                    with issuer._lock:
                        issuer.jwks_fetches += 1
                    self._json(200, issuer.jwks())
                else:
                    self._json(404, {"error": "not_found"})

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="test-oidc-issuer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None
