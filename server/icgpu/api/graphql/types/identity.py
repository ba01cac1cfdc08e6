"""GraphQL types for accounts, teams, API keys and SSH keys."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from icgpu.db.tables import ApiKey as ApiKeyRow
from icgpu.db.tables import SshKey as SshKeyRow
from icgpu.services.accounts import Me
from icgpu.services.ssh_keys import GroupView
from icgpu.services.teams import Membership, TeamView


@strawberry.enum(description="Team roles, from least to most: viewer, member, admin, owner.")
class TeamRole(Enum):
    VIEWER = "viewer"
    MEMBER = "member"
    ADMIN = "admin"
    OWNER = "owner"


def role_of(value: str | None) -> TeamRole | None:
    return TeamRole(value) if value is not None else None


@strawberry.type
class Tenant:
    id: strawberry.ID
    name: str


@strawberry.type(description="A team and the caller's role in it (null when not a member).")
class Team:
    id: strawberry.ID
    name: str
    description: str
    created_by: str
    created_at: datetime
    role: TeamRole | None

    @classmethod
    def from_view(cls, v: TeamView) -> Team:
        t = v.team
        return cls(id=strawberry.ID(t.id), name=t.name, description=t.description, created_by=t.created_by,
                   created_at=t.created_at, role=role_of(v.my_role))


@strawberry.type
class TeamMembership:
    team: Team
    role: TeamRole


@strawberry.type(description="The caller: account, tenant and teams with roles.")
class Viewer:
    id: strawberry.ID
    email: str
    role: str
    tenant: Tenant
    teams: list[TeamMembership]
    credential_type: str = strawberry.field(description="How the caller signed in: oidc or api_key.")
    api_key_id: strawberry.ID | None = strawberry.field(description="The API key in use; null with an OIDC token.")
    scopes: list[str]
    permissions: list[str]

    @classmethod
    def from_me(cls, m: Me, *, via: str, api_key_id: str | None, scopes: list[str], permissions: list[str]
                ) -> Viewer:
        return cls(
            id=strawberry.ID(m.account.id), email=m.account.email, role=m.account.role,
            tenant=Tenant(id=strawberry.ID(m.tenant.id), name=m.tenant.name),
            teams=[TeamMembership(team=Team.from_view(TeamView(t, role)), role=TeamRole(role)) for t, role in m.teams],
            credential_type=via, api_key_id=strawberry.ID(api_key_id) if api_key_id else None,
            scopes=scopes, permissions=permissions,
        )


@strawberry.type
class TeamMember:
    id: strawberry.ID
    team_id: strawberry.ID
    account_id: strawberry.ID
    email: str
    role: TeamRole
    created_at: datetime

    @classmethod
    def from_membership(cls, m: Membership) -> TeamMember:
        return cls(id=strawberry.ID(m.member.id), team_id=strawberry.ID(m.member.team_id),
                   account_id=strawberry.ID(m.account.id), email=m.account.email, role=TeamRole(m.member.role),
                   created_at=m.member.created_at)


@strawberry.type
class TeamConnection:
    items: list[Team]
    next_token: str | None


@strawberry.type
class TeamMemberConnection:
    items: list[TeamMember]
    next_token: str | None


@strawberry.type(description="An API key. The secret is shown only once, by createApiKey.")
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str
    scopes: list[str]
    permissions: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, k: ApiKeyRow) -> ApiKey:
        return cls(id=strawberry.ID(k.id), name=k.name, prefix=k.prefix, scopes=list(k.scopes),
                   permissions=list(k.permissions), created_at=k.created_at, last_used_at=k.last_used_at,
                   expires_at=k.expires_at, revoked_at=k.revoked_at)


@strawberry.type
class ApiKeyConnection:
    items: list[ApiKey]
    next_token: str | None


@strawberry.type
class SshKey:
    id: strawberry.ID
    name: str
    public_key: str
    fingerprint: str
    key_type: str
    bits: int
    created_at: datetime

    @classmethod
    def from_row(cls, k: SshKeyRow) -> SshKey:
        return cls(id=strawberry.ID(k.id), name=k.name, public_key=k.public_key, fingerprint=k.fingerprint,
                   key_type=k.key_type, bits=k.bits, created_at=k.created_at)


@strawberry.type
class SshKeyConnection:
    items: list[SshKey]
    next_token: str | None


@strawberry.type
class SshKeyGroup:
    id: strawberry.ID
    name: str
    description: str
    created_at: datetime
    keys: list[SshKey]

    @classmethod
    def from_view(cls, v: GroupView) -> SshKeyGroup:
        g = v.group
        return cls(id=strawberry.ID(g.id), name=g.name, description=g.description, created_at=g.created_at,
                   keys=[SshKey.from_row(k) for k in v.keys])


@strawberry.type
class SshKeyGroupConnection:
    items: list[SshKeyGroup]
    next_token: str | None


@strawberry.input(description="Add a person to a team: give exactly one of accountId and email.")
class AddTeamMemberInput:
    account_id: strawberry.ID | None = None
    email: str | None = None
    role: TeamRole = TeamRole.MEMBER


@strawberry.input
class CreateTeamInput:
    name: str
    description: str = ""


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[str]
    permissions: list[str] = strawberry.field(default_factory=lambda: ["read"])
    expires_in_days: int | None = None


@strawberry.input
class UploadSshKeyInput:
    name: str
    public_key: str


@strawberry.input
class CreateSshKeyGroupInput:
    name: str
    description: str = ""
