"""GraphQL queries and mutations for the viewer, teams, API keys, SSH keys and key groups."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import Authenticated, requires
from icgpu.api.graphql.types.identity import (
    ApiKey,
    ApiKeyConnection,
    CreateApiKeyInput,
    CreatedApiKey,
    CreateSshKeyGroupInput,
    CreateTeamInput,
    GeneratedSshKey,
    SshKey,
    SshKeyConnection,
    SshKeyGroup,
    SshKeyGroupConnection,
    Team,
    TeamConnection,
    TeamMember,
    TeamMemberConnection,
    TeamRole,
    UploadSshKeyInput,
    Viewer,
)
from icgpu.services.api_keys import ApiKeyCreate
from icgpu.services.pagination import PageRequest
from icgpu.services.ssh_keys import GroupAddKey, GroupCreate, SshKeyGenerate, SshKeyUpload
from icgpu.services.teams import MemberAdd, MemberUpdate, TeamCreate

TEAMS_READ, TEAMS_WRITE = [requires("teams", "read")], [requires("teams", "write")]
KEYS_READ, KEYS_WRITE = [requires("keys", "read")], [requires("keys", "write")]


@strawberry.type
class IdentityQueries:
    @strawberry.field(permission_classes=[Authenticated], description="Who is calling.")
    async def viewer(self, info: Info) -> Viewer:
        p = await info.context.principal()
        me = await info.context.platform.accounts.me(p)
        return Viewer.from_me(me, via=p.via, scopes=sorted(p.scopes), permissions=sorted(p.permissions))

    @strawberry.field(permission_classes=TEAMS_READ, description="Every team in your tenant.")
    async def teams(self, info: Info, max_results: int | None = None, next_token: str | None = None,
                    mine_only: bool = False) -> TeamConnection:
        p = await info.context.principal()
        page = await info.context.platform.teams.list(p, PageRequest(max_results, next_token), mine_only=mine_only)
        return TeamConnection(items=[Team.from_view(v) for v in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=TEAMS_READ)
    async def team(self, info: Info, id: strawberry.ID) -> Team:
        p = await info.context.principal()
        return Team.from_view(await info.context.platform.teams.get(p, str(id)))

    @strawberry.field(permission_classes=TEAMS_READ, description="A team's members (members only).")
    async def team_members(self, info: Info, team_id: strawberry.ID, max_results: int | None = None,
                           next_token: str | None = None) -> TeamMemberConnection:
        p = await info.context.principal()
        page = await info.context.platform.teams.members(p, str(team_id), PageRequest(max_results, next_token))
        return TeamMemberConnection(items=[TeamMember.from_membership(m) for m in page.items],
                                    next_token=page.next_token)

    @strawberry.field(permission_classes=KEYS_READ, description="Your API keys (never their secrets).")
    async def api_keys(self, info: Info, max_results: int | None = None,
                       next_token: str | None = None) -> ApiKeyConnection:
        p = await info.context.principal()
        page = await info.context.platform.api_keys.list(p, PageRequest(max_results, next_token))
        return ApiKeyConnection(items=[ApiKey.from_row(k) for k in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=KEYS_READ, description="Your SSH public keys.")
    async def ssh_keys(self, info: Info, max_results: int | None = None,
                       next_token: str | None = None) -> SshKeyConnection:
        p = await info.context.principal()
        page = await info.context.platform.ssh_keys.list(p, PageRequest(max_results, next_token))
        return SshKeyConnection(items=[SshKey.from_row(k) for k in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=KEYS_READ, description="Your SSH key groups with their keys.")
    async def ssh_key_groups(self, info: Info, max_results: int | None = None,
                             next_token: str | None = None) -> SshKeyGroupConnection:
        p = await info.context.principal()
        page = await info.context.platform.ssh_keys.list_groups(p, PageRequest(max_results, next_token))
        return SshKeyGroupConnection(items=[SshKeyGroup.from_view(g) for g in page.items],
                                     next_token=page.next_token)


@strawberry.type
class IdentityMutations:
    @strawberry.mutation(permission_classes=TEAMS_WRITE, description="Create a team; you become its owner.")
    async def create_team(self, info: Info, input: CreateTeamInput) -> Team:
        p = await info.context.principal()
        data = parse_input(TeamCreate, {"name": input.name, "description": input.description})
        return Team.from_view(await info.context.platform.teams.create(p, data))

    @strawberry.mutation(permission_classes=TEAMS_WRITE)
    async def add_team_member(self, info: Info, team_id: strawberry.ID, account_id: strawberry.ID,
                              role: TeamRole = TeamRole.MEMBER) -> TeamMember:
        p = await info.context.principal()
        data = parse_input(MemberAdd, {"account_id": str(account_id), "role": role.value})
        return TeamMember.from_membership(await info.context.platform.teams.add_member(p, str(team_id), data))

    @strawberry.mutation(permission_classes=TEAMS_WRITE)
    async def update_team_member(self, info: Info, team_id: strawberry.ID, member_id: strawberry.ID,
                                 role: TeamRole) -> TeamMember:
        p = await info.context.principal()
        data = parse_input(MemberUpdate, {"role": role.value})
        return TeamMember.from_membership(
            await info.context.platform.teams.update_member(p, str(team_id), str(member_id), data))

    @strawberry.mutation(permission_classes=TEAMS_WRITE)
    async def remove_team_member(self, info: Info, team_id: strawberry.ID, member_id: strawberry.ID) -> TeamMember:
        p = await info.context.principal()
        return TeamMember.from_membership(
            await info.context.platform.teams.remove_member(p, str(team_id), str(member_id)))

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Create an API key; its secret is shown once.")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreatedApiKey:
        p = await info.context.principal()
        data = parse_input(ApiKeyCreate, {"name": input.name, "scopes": input.scopes,
                                          "permissions": input.permissions,
                                          "expires_in_days": input.expires_in_days})
        made = await info.context.platform.api_keys.create(p, data)
        return CreatedApiKey(api_key=ApiKey.from_row(made.key), key=made.secret)

    @strawberry.mutation(permission_classes=KEYS_WRITE)
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKey:
        p = await info.context.principal()
        return ApiKey.from_row(await info.context.platform.api_keys.revoke(p, str(id)))

    @strawberry.mutation(permission_classes=KEYS_WRITE)
    async def upload_ssh_key(self, info: Info, input: UploadSshKeyInput) -> SshKey:
        p = await info.context.principal()
        data = parse_input(SshKeyUpload, {"name": input.name, "public_key": input.public_key})
        return SshKey.from_row(await info.context.platform.ssh_keys.upload(p, data))

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Generate an ed25519 pair; the private key "
                                                                     "is returned once and never stored.")
    async def generate_ssh_key(self, info: Info, name: str) -> GeneratedSshKey:
        p = await info.context.principal()
        made = await info.context.platform.ssh_keys.generate(p, parse_input(SshKeyGenerate, {"name": name}))
        return GeneratedSshKey(ssh_key=SshKey.from_row(made.key), private_key=made.private_key)

    @strawberry.mutation(permission_classes=KEYS_WRITE)
    async def delete_ssh_key(self, info: Info, id: strawberry.ID) -> SshKey:
        p = await info.context.principal()
        return SshKey.from_row(await info.context.platform.ssh_keys.delete(p, str(id)))

    @strawberry.mutation(permission_classes=KEYS_WRITE)
    async def create_ssh_key_group(self, info: Info, input: CreateSshKeyGroupInput) -> SshKeyGroup:
        p = await info.context.principal()
        data = parse_input(GroupCreate, {"name": input.name, "description": input.description})
        return SshKeyGroup.from_view(await info.context.platform.ssh_keys.create_group(p, data))

    @strawberry.mutation(permission_classes=KEYS_WRITE)
    async def add_ssh_key_to_group(self, info: Info, group_id: strawberry.ID,
                                   ssh_key_id: strawberry.ID) -> SshKeyGroup:
        p = await info.context.principal()
        data = parse_input(GroupAddKey, {"ssh_key_id": str(ssh_key_id)})
        return SshKeyGroup.from_view(await info.context.platform.ssh_keys.add_key(p, str(group_id), data))

    @strawberry.mutation(permission_classes=KEYS_WRITE)
    async def remove_ssh_key_from_group(self, info: Info, group_id: strawberry.ID,
                                        ssh_key_id: strawberry.ID) -> SshKeyGroup:
        p = await info.context.principal()
        return SshKeyGroup.from_view(
            await info.context.platform.ssh_keys.remove_key(p, str(group_id), str(ssh_key_id)))
