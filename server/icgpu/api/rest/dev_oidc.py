"""The development issuer's discovery and JWKS documents (only when no external issuer is set)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from icgpu.api.rest.deps import PlatformDep
from icgpu.errors import NotFound

router = APIRouter(prefix="/dev-oidc", tags=["dev-oidc"], include_in_schema=False)


@router.get("/.well-known/openid-configuration")
async def discovery(request: Request, platform: PlatformDep) -> dict[str, Any]:
    if platform.dev_issuer is None:
        raise NotFound("the development issuer is disabled")
    # The URL this request reached (scheme, host, port and any root path), unless ICGPU_PUBLIC_URL is set.
    return platform.dev_issuer.discovery(str(request.base_url))


@router.get("/jwks")
async def jwks(platform: PlatformDep) -> dict[str, Any]:
    if platform.dev_issuer is None:
        raise NotFound("the development issuer is disabled")
    return platform.dev_issuer.jwks()
