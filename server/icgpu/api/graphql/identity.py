"""GraphQL queries and mutations for the viewer, teams, API keys, SSH keys and key groups."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import Authenticated, requires
from icgpu.api.graphql.types.identity import (
    AddTeamMemberInput,
    ApiKey,
    ApiKeyConnection,
    CreateApiKeyInput,
    CreateSshKeyGroupInput,
    CreateTeamInput,
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
from icgpu.api.graphql.types.payloads import (
    ApiKeyPayload,
    CreatedApiKey,
    DryRun,
    GeneratedSshKey,
    SshKeyGroupPayload,
    SshKeyPayload,
    TeamMemberPayload,
    TeamPayload,
)
from icgpu.services.api_keys import ApiKeyCreate
from icgpu.services.pagination import PageRequest
from icgpu.services.ssh_keys import GroupAddKey, GroupCreate, GroupView, SshKeyGenerate, SshKeyUpload
from icgpu.services.teams import MemberAdd, MemberUpdate, TeamCreate

TEAMS_READ, TEAMS_WRITE = [requires("teams", "read")], [requires("teams", "write")]
KEYS_READ, KEYS_WRITE = [requires("keys", "read")], [requires("keys", "write")]


@strawberry.type
class IdentityQueries:
    @strawberry.field(permission_classes=[Authenticated], description="Who is calling.")
    async def viewer(self, info: Info) -> Viewer:
        p = await info.context.principal()
        me = await info.context.platform.accounts.me(p)
        return Viewer.from_me(me, via=p.via, api_key_id=p.api_key_id, scopes=sorted(p.scopes),
                              permissions=sorted(p.permissions))

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

    @strawberry.field(permission_classes=KEYS_READ, description="One of your API keys; a revoked key is not found.")
    async def api_key(self, info: Info, id: strawberry.ID) -> ApiKey:
        p = await info.context.principal()
        return ApiKey.from_row(await info.context.platform.api_keys.get(p, str(id)))

    @strawberry.field(permission_classes=KEYS_READ, description="One of your SSH public keys.")
    async def ssh_key(self, info: Info, id: strawberry.ID) -> SshKey:
        p = await info.context.principal()
        return SshKey.from_row(await info.context.platform.ssh_keys.get(p, str(id)))

    @strawberry.field(permission_classes=KEYS_READ, description="One of your SSH key groups with its keys.")
    async def ssh_key_group(self, info: Info, id: strawberry.ID) -> SshKeyGroup:
        p = await info.context.principal()
        return SshKeyGroup.from_view(await info.context.platform.ssh_keys.get_group(p, str(id)))

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
    async def create_team(self, info: Info, input: CreateTeamInput, dry_run: DryRun = False) -> TeamPayload:
        p = await info.context.principal()
        data = parse_input(TeamCreate, {"name": input.name, "description": input.description})
        view = await info.context.platform.teams.create(p, data, dry_run=dry_run)
        return TeamPayload(dry_run=dry_run, valid=True, team=Team.from_view(view))

    @strawberry.mutation(permission_classes=TEAMS_WRITE, description="Add a person, by account id or email.")
    async def add_team_member(self, info: Info, team_id: strawberry.ID, input: AddTeamMemberInput,
                              dry_run: DryRun = False) -> TeamMemberPayload:
        p = await info.context.principal()
        data = parse_input(MemberAdd, {"account_id": input.account_id, "email": input.email,
                                       "role": input.role.value})
        made = await info.context.platform.teams.add_member(p, str(team_id), data, dry_run=dry_run)
        return TeamMemberPayload(dry_run=dry_run, valid=True, member=TeamMember.from_membership(made))

    @strawberry.mutation(permission_classes=TEAMS_WRITE, description="Change a member's role.")
    async def update_team_member(self, info: Info, team_id: strawberry.ID, member_id: strawberry.ID,
                                 role: TeamRole, dry_run: DryRun = False) -> TeamMemberPayload:
        p = await info.context.principal()
        data = parse_input(MemberUpdate, {"role": role.value})
        changed = await info.context.platform.teams.update_member(p, str(team_id), str(member_id), data,
                                                                  dry_run=dry_run)
        return TeamMemberPayload(dry_run=dry_run, valid=True, member=TeamMember.from_membership(changed))

    @strawberry.mutation(permission_classes=TEAMS_WRITE, description="Remove a member (or leave the team).")
    async def remove_team_member(self, info: Info, team_id: strawberry.ID, member_id: strawberry.ID,
                                 dry_run: DryRun = False) -> TeamMemberPayload:
        p = await info.context.principal()
        gone = await info.context.platform.teams.remove_member(p, str(team_id), str(member_id), dry_run=dry_run)
        return TeamMemberPayload(dry_run=dry_run, valid=True, member=TeamMember.from_membership(gone))

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Create an API key; its secret is shown once.")
    async def create_api_key(self, info: Info, input: CreateApiKeyInput, dry_run: DryRun = False) -> CreatedApiKey:
        p = await info.context.principal()
        data = parse_input(ApiKeyCreate, {"name": input.name, "scopes": input.scopes,
                                          "permissions": input.permissions,
                                          "expires_in_days": input.expires_in_days})
        made = await info.context.platform.api_keys.create(p, data, dry_run=dry_run)
        return CreatedApiKey(dry_run=dry_run, valid=True, api_key=ApiKey.from_row(made.key), key=made.secret)

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Revoke an API key; it stops working at once.")
    async def revoke_api_key(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> ApiKeyPayload:
        p = await info.context.principal()
        key = await info.context.platform.api_keys.revoke(p, str(id), dry_run=dry_run)
        return ApiKeyPayload(dry_run=dry_run, valid=True, api_key=ApiKey.from_row(key))

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Upload an SSH public key.")
    async def upload_ssh_key(self, info: Info, input: UploadSshKeyInput, dry_run: DryRun = False) -> SshKeyPayload:
        p = await info.context.principal()
        data = parse_input(SshKeyUpload, {"name": input.name, "public_key": input.public_key})
        key = await info.context.platform.ssh_keys.upload(p, data, dry_run=dry_run)
        return SshKeyPayload(dry_run=dry_run, valid=True, ssh_key=SshKey.from_row(key))

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Generate an ed25519 pair; the private key "
                                                                     "is returned once and never stored.")
    async def generate_ssh_key(self, info: Info, name: str, dry_run: DryRun = False) -> GeneratedSshKey:
        p = await info.context.principal()
        made = await info.context.platform.ssh_keys.generate(p, parse_input(SshKeyGenerate, {"name": name}),
                                                             dry_run=dry_run)
        return GeneratedSshKey(dry_run=dry_run, valid=True, ssh_key=SshKey.from_row(made.key),
                               private_key=made.private_key)

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Delete an SSH key (and take it out of groups).")
    async def delete_ssh_key(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> SshKeyPayload:
        p = await info.context.principal()
        key = await info.context.platform.ssh_keys.delete(p, str(id), dry_run=dry_run)
        return SshKeyPayload(dry_run=dry_run, valid=True, ssh_key=SshKey.from_row(key))

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Create an SSH key group.")
    async def create_ssh_key_group(self, info: Info, input: CreateSshKeyGroupInput,
                                   dry_run: DryRun = False) -> SshKeyGroupPayload:
        p = await info.context.principal()
        data = parse_input(GroupCreate, {"name": input.name, "description": input.description})
        return _group(await info.context.platform.ssh_keys.create_group(p, data, dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Delete an SSH key group (its keys stay).")
    async def delete_ssh_key_group(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> SshKeyGroupPayload:
        p = await info.context.principal()
        return _group(await info.context.platform.ssh_keys.delete_group(p, str(id), dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Add one of your SSH keys to a group.")
    async def add_ssh_key_to_group(self, info: Info, group_id: strawberry.ID, ssh_key_id: strawberry.ID,
                                   dry_run: DryRun = False) -> SshKeyGroupPayload:
        p = await info.context.principal()
        data = parse_input(GroupAddKey, {"ssh_key_id": str(ssh_key_id)})
        return _group(await info.context.platform.ssh_keys.add_key(p, str(group_id), data, dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=KEYS_WRITE, description="Take an SSH key out of a group.")
    async def remove_ssh_key_from_group(self, info: Info, group_id: strawberry.ID, ssh_key_id: strawberry.ID,
                                        dry_run: DryRun = False) -> SshKeyGroupPayload:
        p = await info.context.principal()
        view = await info.context.platform.ssh_keys.remove_key(p, str(group_id), str(ssh_key_id), dry_run=dry_run)
        return _group(view, dry_run)


def _group(view: GroupView, dry_run: bool) -> SshKeyGroupPayload:
    return SshKeyGroupPayload(dry_run=dry_run, valid=True, ssh_key_group=SshKeyGroup.from_view(view))
