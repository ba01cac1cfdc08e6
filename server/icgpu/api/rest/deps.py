"""Dependencies shared by the REST and OpenAI adapters (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from icgpu.api.principal import get_platform, resolve_principal
from icgpu.auth.principal import Principal
from icgpu.platform import Platform
from icgpu.services.pagination import PageRequest


async def page_request(  # async: FastAPI runs sync dependencies in its thread pool
    max_results: Annotated[int | None, Query(alias="maxResults", ge=1, le=100)] = None,
    next_token: Annotated[str | None, Query(alias="nextToken")] = None,
) -> PageRequest:
    return PageRequest(max_results=max_results, next_token=next_token or None)


async def dry_run_flag(
    dry_run: Annotated[bool, Query(alias="dryRun", description=(
        "true: run every check and answer what the call would do, writing nothing "
        "(200 {dryRun, valid, <resource>}); only 'true' or 'false'"))] = False,
) -> bool:
    """Declaring this dependency is how a write route says it honours ``dryRun``; the route class
    (route.py) has already refused values other than true/false, and refuses ``dryRun=true`` on a
    write route that does not declare it."""
    return dry_run


async def platform_dep(request: Request) -> Platform:
    return get_platform(request)


PlatformDep = Annotated[Platform, Depends(platform_dep)]
CurrentPrincipal = Annotated[Principal, Depends(resolve_principal)]
PageDep = Annotated[PageRequest, Depends(page_request)]
DryRun = Annotated[bool, Depends(dry_run_flag)]
