"""Client configuration: arguments first, then ICGPU_API_KEY / ICGPU_BASE_URL."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2


@dataclass(frozen=True)
class Config:
    api_key: str | None
    base_url: str
    timeout: float
    max_retries: int

    @classmethod
    def resolve(cls, api_key: str | None, base_url: str | None, timeout: float | None,
                max_retries: int | None) -> Config:
        key = api_key if api_key is not None else os.environ.get("ICGPU_API_KEY") or None
        url = (base_url or os.environ.get("ICGPU_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {url!r}")
        retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        if retries < 0:
            raise ValueError("max_retries must be 0 or more")
        wait = DEFAULT_TIMEOUT if timeout is None else timeout
        if wait <= 0:
            raise ValueError("timeout must be positive")
        return cls(api_key=key, base_url=url, timeout=wait, max_retries=retries)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def ws_url(self) -> str:
        return "ws" + self.graphql_url[len("http"):]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def ws_init_payload(self) -> dict[str, str]:
        return self.headers()
