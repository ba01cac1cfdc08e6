"""Who may see and change what: the one place the team permission matrix lives.

* A resource belongs to the account that created it and may be shared with one team.
* Its creator sees and manages it. Members of its team see it whatever their role; the team's
  admins and owners also manage it. Everyone else, in the tenant or not, gets "not found".
* Team roles rank viewer < member < admin < owner (docs/permissions.md has the full matrix).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.tables import Team, TeamMember
from icgpu.errors import AccessDenied, NotFound, ValidationError
from icgpu.ids import well_formed

ROLES = ("viewer", "member", "admin", "owner")
RANK = {role: i for i, role in enumerate(ROLES)}


def at_least(role: str | None, minimum: str) -> bool:
    return role is not None and RANK[role] >= RANK[minimum]


def my_teams(principal: Principal) -> Any:
    return select(TeamMember.team_id).where(TeamMember.account_id == principal.account_id)


def visible(principal: Principal, model: Any) -> ColumnElement[bool]:
    """SQL filter: rows of ``model`` (with tenant_id, account_id, team_id) the principal may see."""
    mine = model.account_id == principal.account_id
    if hasattr(model, "team_id"):
        mine = or_(mine, model.team_id.in_(my_teams(principal)))
    return and_(model.tenant_id == principal.tenant_id, mine)


def owned_by(principal: Principal, model: Any) -> ColumnElement[bool]:
    return and_(model.tenant_id == principal.tenant_id, model.account_id == principal.account_id)


async def team_role(s: AsyncSession, principal: Principal, team_id: str | None) -> str | None:
    if team_id is None:
        return None
    return await s.scalar(select(TeamMember.role).where(TeamMember.team_id == team_id,
                                                        TeamMember.account_id == principal.account_id))


async def can_see(s: AsyncSession, principal: Principal, row: Any) -> bool:
    if row.tenant_id != principal.tenant_id:
        return False
    if row.account_id == principal.account_id:
        return True
    return await team_role(s, principal, getattr(row, "team_id", None)) is not None


async def check_share_team(s: AsyncSession, principal: Principal, team_id: str | None,
                           field: str = "team_id") -> None:
    """A new resource shared with ``team_id`` (none: private): the team must be of the caller's
    tenant (400 naming ``field`` otherwise, whether it is missing or foreign) and the caller at
    least a member of it (403 TeamRoleTooLow)."""
    if team_id is None:
        return
    team = await s.get(Team, team_id) if well_formed(team_id, "team") else None
    if team is None or team.tenant_id != principal.tenant_id:
        raise ValidationError(f"{field}: unknown team '{team_id}'", field=field)
    if not at_least(await team_role(s, principal, team.id), "member"):
        raise AccessDenied("sharing with a team needs the member role in it", code="TeamRoleTooLow")


async def require_manage(s: AsyncSession, principal: Principal, row: Any, what: str) -> None:
    """The caller sees ``row`` (checked before); may they change it?"""
    if row.account_id == principal.account_id:
        return
    if at_least(await team_role(s, principal, getattr(row, "team_id", None)), "admin"):
        return
    raise AccessDenied(f"only the {what}'s creator or its team's admins and owners can change it",
                       code="TeamRoleTooLow")


def event_visible(principal: Principal, team_ids: frozenset[str], ev: Any) -> bool:
    """An event about a resource the caller sees: their own, or one shared with one of their teams
    (``team_ids``, read when the stream opened)."""
    return bool(ev.tenant_id == principal.tenant_id
                and (ev.account_id == principal.account_id or (ev.team_id is not None and ev.team_id in team_ids)))


# The caller's teams as a Core statement made once, run on the session's connection (no ORM
# result pass): every list reads it. Read sessions hold nothing to flush first.
_TEAM_IDS = select(TeamMember.team_id).where(TeamMember.account_id == bindparam("account"))


async def team_ids(s: AsyncSession, principal: Principal) -> frozenset[str]:
    conn = await s.connection()
    return frozenset((await conn.execute(_TEAM_IDS, {"account": principal.account_id})).scalars())


async def load_visible(
    s: AsyncSession, principal: Principal, model: Any, row_id: str, prefix: str, what: str, *, for_update: bool = False
) -> Any:
    """The row the caller may see, or 404 whether it is missing, foreign or hidden."""
    row = await s.get(model, row_id, with_for_update=for_update) if well_formed(row_id, prefix) else None
    if row is None or not await can_see(s, principal, row):
        raise NotFound(f"{what} {row_id} not found")
    return row
