"""Tenants bootstrapped through the CLI, with clients for both of their credentials."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from tests.support.server import Server


@dataclass
class Tenant:
    name: str
    account_id: str
    api_key: str
    token: str
    api: httpx.Client  # authenticated with the OIDC token
    key_api: httpx.Client  # authenticated with the API key

    def close(self) -> None:
        self.api.close()
        self.key_api.close()


def bootstrap_tenant(server: Server, name: str, email: str) -> Tenant:
    boot = server.bootstrap(name, email)
    return Tenant(boot["tenant"], boot["account_id"], boot["api_key"], boot["oidc_token"],
                  server.client(boot["oidc_token"]), server.client(boot["api_key"]))


@contextmanager
def open_tenant(server: Server, name: str, email: str) -> Iterator[Tenant]:
    tenant = bootstrap_tenant(server, name, email)
    try:
        yield tenant
    finally:
        tenant.close()
