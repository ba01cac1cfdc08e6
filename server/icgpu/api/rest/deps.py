"""Dependencies shared by the REST and OpenAI adapters (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from icgpu.auth.principal import Principal
from icgpu.platform import Platform
from icgpu.services.pagination import PageRequest


def get_platform(request: Request) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


def rate_group(path: str) -> str:
    return "llm" if path.startswith("/v1/") else "api"


async def resolve_principal(request: Request) -> Principal:
    """Authenticate once per request and count it against the account's rate limit."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    platform = get_platform(request)
    principal = await platform.authenticator.authenticate(request.headers.get("authorization"))
    request.state.rate_quota = platform.rate_limiter.hit(principal.account_id, rate_group(request.url.path))
    request.state.principal = principal
    return principal


def page_request(
    max_results: Annotated[int | None, Query(alias="maxResults", ge=1, le=100)] = None,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> PageRequest:
    return PageRequest(max_results=max_results, next_token=next_token or None)


PlatformDep = Annotated[Platform, Depends(get_platform)]
CurrentPrincipal = Annotated[Principal, Depends(resolve_principal)]
PageDep = Annotated[PageRequest, Depends(page_request)]
DryRun = Annotated[bool, Query(alias="dryRun")]
