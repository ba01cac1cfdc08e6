"""Teams and their members. Roles and who may change them are in docs/permissions.md.

* Any account may create a team and becomes its owner. Every account in the tenant sees its teams.
* Admins add, re-role and remove members and viewers; owners also manage admins and owners.
* Anyone may leave a team. A team always keeps at least one owner (409 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.database import Database
from icgpu.db.tables import Account, Team, TeamMember
from icgpu.errors import AccessDenied, Conflict, NotFound
from icgpu.ids import new_id, well_formed
from icgpu.services import access
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.validation import Input, model_error

SCOPE = "teams"
Role = Literal["owner", "admin", "member", "viewer"]


class TeamCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)


class MemberAdd(Input):
    """Who to add, by account id or by email (exactly one), and with which role."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["account_id"], "properties": {"account_id": {"type": "string"}, "email": {"type": "null"}}},
        {"required": ["email"], "properties": {"email": {"type": "string"}, "account_id": {"type": "null"}}},
    ]})

    account_id: str | None = Field(default=None, min_length=1, max_length=40)
    email: str | None = Field(default=None, min_length=3, max_length=320)
    role: Role = "member"

    @model_validator(mode="after")
    def _one_person(self) -> MemberAdd:
        if (self.account_id is None) == (self.email is None):
            raise model_error("account_id", "give exactly one of an account id and an email")
        return self


class MemberUpdate(Input):
    role: Role


@dataclass(frozen=True)
class Membership:
    member: TeamMember
    account: Account


@dataclass(frozen=True)
class TeamView:
    team: Team
    my_role: str | None


class TeamService:
    def __init__(self, db: Database, pages: PageCodec, signals: Signals | None = None) -> None:
        self.db = db
        self.pages = pages
        self.signals = signals

    def _memberships_changed(self, dry_run: bool) -> None:
        """Who may see a team's resources changed: caches keyed on it (the /v1 model routes) forget."""
        if self.signals is not None and not dry_run:
            self.signals.changed()

    async def create(self, principal: Principal, data: TeamCreate, *, dry_run: bool = False) -> TeamView:
        principal.require(SCOPE, "write")
        try:
            async with self.db.transaction(dry_run=dry_run) as s:
                team = Team(id=new_id("team"), tenant_id=principal.tenant_id, name=data.name,
                            description=data.description, created_by=principal.account_id)
                s.add(team)
                await s.flush()
                s.add(TeamMember(id=new_id("tmem"), team_id=team.id, account_id=principal.account_id, role="owner"))
                await s.flush()
        except IntegrityError:
            raise Conflict(f"a team named '{data.name}' already exists", code="ResourceAlreadyExists") from None
        return TeamView(team, "owner")

    async def list(self, principal: Principal, page: PageRequest, *, mine_only: bool = False) -> Page[TeamView]:
        principal.require(SCOPE, "read")
        stmt = select(Team, TeamMember.role).outerjoin(
            TeamMember, (TeamMember.team_id == Team.id) & (TeamMember.account_id == principal.account_id)
        ).where(Team.tenant_id == principal.tenant_id)
        if mine_only:
            stmt = stmt.where(TeamMember.id.is_not(None))
        scope = f"teams:{principal.tenant_id}:{principal.account_id if mine_only else '*'}"
        stmt, size = self.pages.apply(stmt, page, scope=scope, created_col=Team.created_at, id_col=Team.id)
        async with self.db.read() as s:
            rows = [TeamView(team, role) for team, role in (await s.execute(stmt)).all()]
        return self.pages.page_of(rows, size, scope=scope, key=lambda v: v.team)

    async def get(self, principal: Principal, team_id: str) -> TeamView:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            team = await self._team(s, principal, team_id)
            return TeamView(team, await access.team_role(s, principal, team.id))

    async def members(self, principal: Principal, team_id: str, page: PageRequest) -> Page[Membership]:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            team = await self._team(s, principal, team_id)
            if await access.team_role(s, principal, team.id) is None:
                raise AccessDenied("only the team's members can list its members", code="NotATeamMember")
            stmt = (select(TeamMember, Account).join(Account, Account.id == TeamMember.account_id)
                    .where(TeamMember.team_id == team.id))
            scope = f"team-members:{team.id}"
            stmt, size = self.pages.apply(stmt, page, scope=scope, created_col=TeamMember.created_at,
                                          id_col=TeamMember.id)
            rows = [Membership(m, a) for m, a in (await s.execute(stmt)).all()]
        return self.pages.page_of(rows, size, scope=scope, key=lambda v: v.member)

    async def add_member(self, principal: Principal, team_id: str, data: MemberAdd, *,
                         dry_run: bool = False) -> Membership:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            team = await self._team(s, principal, team_id)
            self._may_grant(await access.team_role(s, principal, team.id), data.role)
            account = await self._person(s, principal, data)
            if await s.scalar(select(TeamMember.id).where(TeamMember.team_id == team.id,
                                                          TeamMember.account_id == account.id)):
                raise Conflict(f"account {account.id} is already a member of this team",
                               code="ResourceAlreadyExists")
            member = TeamMember(id=new_id("tmem"), team_id=team.id, account_id=account.id, role=data.role)
            s.add(member)
            try:
                await s.flush()
            except IntegrityError:
                raise Conflict(f"account {account.id} is already a member of this team",
                               code="ResourceAlreadyExists") from None
        self._memberships_changed(dry_run)
        return Membership(member, account)

    async def update_member(self, principal: Principal, team_id: str, member_id: str,
                            data: MemberUpdate, *, dry_run: bool = False) -> Membership:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            team, member = await self._member(s, principal, team_id, member_id)
            mine = await access.team_role(s, principal, team.id)
            self._may_grant(mine, member.role)  # to touch their current role
            self._may_grant(mine, data.role)  # and to give the new one
            if member.role == "owner" and data.role != "owner":
                await self._keep_an_owner(s, team.id)
            member.role = data.role
            account = await s.get(Account, member.account_id)
            assert account is not None
        self._memberships_changed(dry_run)
        return Membership(member, account)

    async def remove_member(self, principal: Principal, team_id: str, member_id: str, *,
                            dry_run: bool = False) -> Membership:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            team, member = await self._member(s, principal, team_id, member_id)
            if member.account_id != principal.account_id:  # leaving needs no rank
                self._may_grant(await access.team_role(s, principal, team.id), member.role)
            if member.role == "owner":
                await self._keep_an_owner(s, team.id)
            account = await s.get(Account, member.account_id)
            assert account is not None
            await s.delete(member)
        self._memberships_changed(dry_run)
        return Membership(member, account)

    async def team_ids(self, principal: Principal) -> frozenset[str]:
        async with self.db.read() as s:
            return await access.team_ids(s, principal)

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _may_grant(actor_role: str | None, role: str) -> None:
        """Admins manage members and viewers; owners manage every role."""
        needed = "owner" if role in ("admin", "owner") else "admin"
        if not access.at_least(actor_role, needed):
            raise AccessDenied(f"managing a team's {role}s needs the {needed} role in the team",
                               code="TeamRoleTooLow")

    @staticmethod
    async def _person(s: AsyncSession, principal: Principal, data: MemberAdd) -> Account:
        """The account to add, in the caller's tenant (another tenant's account is not found)."""
        if data.account_id is not None:
            account = await s.get(Account, data.account_id) if well_formed(data.account_id, "acc") else None
            if account is None or account.tenant_id != principal.tenant_id:
                raise NotFound(f"account {data.account_id} not found")
            return account
        account = await s.scalar(select(Account).where(Account.tenant_id == principal.tenant_id,
                                                       func.lower(Account.email) == (data.email or "").lower()))
        if account is None:
            raise NotFound(f"no account with email {data.email} in this tenant")
        return account

    @staticmethod
    async def _keep_an_owner(s: AsyncSession, team_id: str) -> None:
        # Lock the team's owner rows so two concurrent demotions cannot both pass.
        owners = (await s.scalars(select(TeamMember.id).where(TeamMember.team_id == team_id,
                                                              TeamMember.role == "owner").with_for_update())).all()
        if len(owners) <= 1:
            raise Conflict("a team must keep at least one owner", code="LastOwner")

    @staticmethod
    async def _team(s: AsyncSession, principal: Principal, team_id: str, *, lock: bool = False) -> Team:
        # FOR NO KEY UPDATE: serialises member changes without blocking inserts that reference the team.
        lock_mode = {"key_share": True} if lock else None
        team = await s.get(Team, team_id, with_for_update=lock_mode) if well_formed(team_id, "team") else None
        if team is None or team.tenant_id != principal.tenant_id:
            raise NotFound(f"team {team_id} not found")
        return team

    async def _member(self, s: AsyncSession, principal: Principal, team_id: str,
                      member_id: str) -> tuple[Team, TeamMember]:
        # Lock the team first: changes to one team's members queue behind each other, so two owners
        # demoting each other cannot deadlock on their member rows (PostgreSQL; SQLite serialises writes).
        team = await self._team(s, principal, team_id, lock=True)
        member = await s.get(TeamMember, member_id, with_for_update=True) if well_formed(member_id, "tmem") else None
        if member is None or member.team_id != team.id:
            raise NotFound(f"team member {member_id} not found")
        return team, member
