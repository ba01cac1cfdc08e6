"""/api/v1/me, /api/v1/teams, /api/v1/api-keys: protocol mapping only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from icgpu.api.rest import schemas
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
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


@router.get("/me", tags=["identity"], **operation(schemas.Me, never=(403,)))
async def me(platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    """The caller, field for field the GraphQL ``viewer`` (snake_case)."""
    m = await platform.accounts.me(principal)
    return {
        "id": m.account.id, "email": m.account.email, "role": m.account.role,
        "tenant": {"id": m.tenant.id, "name": m.tenant.name},
        "teams": [{"team": team_json(TeamView(t, role)), "role": role} for t, role in m.teams],
        "credential_type": principal.via, "api_key_id": principal.api_key_id,
        "scopes": sorted(principal.scopes), "permissions": sorted(principal.permissions),
    }


# -- teams ------------------------------------------------------------------------------------------

@router.post("/teams", tags=["teams"], **operation(schemas.Team, status=201, body=TeamCreate,
                                                   dry_run=schemas.DryRunTeam))
async def create_team(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                      dry_run: DryRun) -> dict[str, Any]:
    data = parse(TeamCreate, await read_json(request))
    team = await platform.teams.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "team", team_json(team))


@router.get("/teams", tags=["teams"], **operation(schemas.TeamList))
async def list_teams(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.teams.list(principal, page)
    return ok(platform, {"teams": [team_json(t) for t in result.items], "nextToken": result.next_token})


@router.get("/teams/my", tags=["teams"], **operation(schemas.TeamList))
async def my_teams(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.teams.list(principal, page, mine_only=True)
    return ok(platform, {"teams": [team_json(t) for t in result.items], "nextToken": result.next_token})


@router.get("/teams/{team_id}", tags=["teams"], **operation(schemas.Team))
async def get_team(team_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return team_json(await platform.teams.get(principal, team_id))


@router.get("/teams/{team_id}/members", tags=["teams"], **operation(schemas.MemberList))
async def list_members(team_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                       page: PageDep) -> Response | dict[str, Any]:
    result = await platform.teams.members(principal, team_id, page)
    return ok(platform, {"members": [member_json(m) for m in result.items], "nextToken": result.next_token})


@router.post("/teams/{team_id}/members", tags=["teams"],
             **operation(schemas.Member, status=201, body=MemberAdd,
                         dry_run=schemas.DryRunMember))
async def add_member(team_id: str, request: Request, response: Response, platform: PlatformDep,
                     principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(MemberAdd, await read_json(request))
    return created(response, dry_run, "member",
                   member_json(await platform.teams.add_member(principal, team_id, data, dry_run=dry_run)))


@router.patch("/teams/{team_id}/members/{member_id}", tags=["teams"],
              **operation(schemas.Member, body=MemberUpdate, dry_run=schemas.DryRunMember))
async def update_member(team_id: str, member_id: str, request: Request, platform: PlatformDep,
                        principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(MemberUpdate, await read_json(request))
    member = await platform.teams.update_member(principal, team_id, member_id, data, dry_run=dry_run)
    return written(dry_run, "member", member_json(member))


@router.delete("/teams/{team_id}/members/{member_id}", tags=["teams"],
               **operation(schemas.Member, dry_run=schemas.DryRunMember))
async def remove_member(team_id: str, member_id: str, platform: PlatformDep,
                        principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    member = await platform.teams.remove_member(principal, team_id, member_id, dry_run=dry_run)
    return written(dry_run, "member", member_json(member))


# -- API keys ---------------------------------------------------------------------------------------

@router.post("/api-keys", tags=["api-keys"], **operation(schemas.CreatedApiKey, status=201, body=ApiKeyCreate,
                                                         secrets=("key",),
                                                         dry_run=schemas.DryRunApiKey))
async def create_api_key(request: Request, response: Response, platform: PlatformDep, principal: CurrentPrincipal,
                         dry_run: DryRun) -> dict[str, Any]:
    data = parse(ApiKeyCreate, await read_json(request))
    made = await platform.api_keys.create(principal, data, dry_run=dry_run)
    key = api_key_json(made.key)
    return created(response, dry_run, "api_key", key, real={**key, "key": made.secret})


@router.get("/api-keys", tags=["api-keys"], **operation(schemas.ApiKeyList))
async def list_api_keys(platform: PlatformDep, principal: CurrentPrincipal, page: PageDep) -> Response | dict[str, Any]:
    result = await platform.api_keys.list(principal, page)
    return ok(platform, {"api_keys": [api_key_json(k) for k in result.items], "nextToken": result.next_token})


@router.get("/api-keys/{key_id}", tags=["api-keys"], **operation(schemas.ApiKey))
async def get_api_key(key_id: str, platform: PlatformDep, principal: CurrentPrincipal) -> dict[str, Any]:
    """A key of the caller's; a revoked key is 404."""
    return api_key_json(await platform.api_keys.get(principal, key_id))


@router.delete("/api-keys/{key_id}", tags=["api-keys"], **operation(schemas.ApiKey, dry_run=schemas.DryRunApiKey))
async def revoke_api_key(key_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                         dry_run: DryRun) -> dict[str, Any]:
    return written(dry_run, "api_key", api_key_json(await platform.api_keys.revoke(principal, key_id,
                                                                                    dry_run=dry_run)))
