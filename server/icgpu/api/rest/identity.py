"""/api/v1/me, /api/v1/teams, /api/v1/api-keys: protocol mapping only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, PageDep, PlatformDep
from icgpu.api.rest.route import AuthedRoute, json_body
from icgpu.db.tables import ApiKey
from icgpu.services.api_keys import ApiKeyCreate
from icgpu.services.teams import MemberAdd, Membership, MemberUpdate, TeamCreate, TeamView
from icgpu.services.validation import parse

router = APIRouter(prefix="/api/v1", route_class=AuthedRoute)


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def team_json(view: TeamView) -> dict[str, Any]:
    t = view.team
    return {"id": t.id, "name": t.name, "description": t.description, "created_by": t.created_by,
            "created_at": iso(t.created_at), "role": view.my_role}


def member_json(m: Membership) -> dict[str, Any]:
    return {"id": m.member.id, "team_id": m.member.team_id, "account_id": m.account.id, "email": m.account.email,
            "role": m.member.role, "created_at": iso(m.member.created_at)}


def api_key_json(k: ApiKey) -> dict[str, Any]:
    return {"id": k.id, "name": k.name, "prefix": k.prefix, "scopes": k.scopes, "permissions": k.permissions,
            "created_at": iso(k.created_at), "last_used_at": iso(k.last_used_at), "expires_at": iso(k.expires_at),
            "revoked_at": iso(k.revoked_at)}


@router.get("/me", tags=["identity"])
async def me(platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    m = await platform.accounts.me(principal)
    return {
        "id": m.account.id, "email": m.account.email, "role": m.account.role,
        "tenant": {"id": m.tenant.id, "name": m.tenant.name},
        "teams": [{"id": t.id, "name": t.name, "role": role} for t, role in m.teams],
        "credential": {"type": principal.via, "api_key_id": principal.api_key_id,
                       "scopes": sorted(principal.scopes), "permissions": sorted(principal.permissions)},
    }


# -- teams ------------------------------------------------------------------------------------------

@router.post("/teams", status_code=201, tags=["teams"], openapi_extra=json_body(TeamCreate))
async def create_team(request: Request, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(TeamCreate, await read_json(request))
    return team_json(await platform.teams.create(principal, data))


@router.get("/teams", tags=["teams"])
async def list_teams(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> dict[str, Any]:
    result = await platform.teams.list(principal, page)
    return {"teams": [team_json(t) for t in result.items], "nextToken": result.next_token}


@router.get("/teams/my", tags=["teams"])
async def my_teams(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> dict[str, Any]:
    result = await platform.teams.list(principal, page, mine_only=True)
    return {"teams": [team_json(t) for t in result.items], "nextToken": result.next_token}


@router.get("/teams/{team_id}", tags=["teams"])
async def get_team(team_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return team_json(await platform.teams.get(principal, team_id))


@router.get("/teams/{team_id}/members", tags=["teams"])
async def list_members(team_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                       page: PageDep) -> dict[str, Any]:
    result = await platform.teams.members(principal, team_id, page)
    return {"members": [member_json(m) for m in result.items], "nextToken": result.next_token}


@router.post("/teams/{team_id}/members", status_code=201, tags=["teams"], openapi_extra=json_body(MemberAdd))
async def add_member(team_id: str, request: Request, platform: PlatformDep,
                     principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(MemberAdd, await read_json(request))
    return member_json(await platform.teams.add_member(principal, team_id, data))


@router.patch("/teams/{team_id}/members/{member_id}", tags=["teams"], openapi_extra=json_body(MemberUpdate))
async def update_member(team_id: str, member_id: str, request: Request, platform: PlatformDep,
                        principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(MemberUpdate, await read_json(request))
    return member_json(await platform.teams.update_member(principal, team_id, member_id, data))


@router.delete("/teams/{team_id}/members/{member_id}", tags=["teams"])
async def remove_member(team_id: str, member_id: str, platform: PlatformDep,
                        principal: CurrentPrincipal) -> dict[str, Any]:
    return member_json(await platform.teams.remove_member(principal, team_id, member_id))


# -- API keys ---------------------------------------------------------------------------------------

@router.post("/api-keys", status_code=201, tags=["api-keys"],
             openapi_extra=json_body(ApiKeyCreate, secrets=("key",)))
async def create_api_key(request: Request, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    data = parse(ApiKeyCreate, await read_json(request))
    created = await platform.api_keys.create(principal, data)
    return {**api_key_json(created.key), "key": created.secret}


@router.get("/api-keys", tags=["api-keys"])
async def list_api_keys(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> dict[str, Any]:
    result = await platform.api_keys.list(principal, page)
    return {"api_keys": [api_key_json(k) for k in result.items], "nextToken": result.next_token}


@router.delete("/api-keys/{key_id}", tags=["api-keys"])
async def revoke_api_key(key_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return api_key_json(await platform.api_keys.revoke(principal, key_id))
