"""The caller of an HTTP request, for every adapter (REST, OpenAI, GraphQL over HTTP): authenticated
once per request and counted against the account's rate limit for the route group."""

from __future__ import annotations

from starlette.requests import Request

from icgpu.auth.principal import Principal
from icgpu.platform import Platform


def get_platform(request: Request) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


def rate_group(path: str) -> str:
    return "llm" if path.startswith("/v1/") else "api"


async def resolve_principal(request: Request) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    platform = get_platform(request)
    principal = await platform.authenticator.authenticate(request.headers.get("authorization"))
    request.state.rate_quota = platform.rate_limiter.hit(principal.account_id, rate_group(request.url.path))
    request.state.principal = principal
    return principal
