"""client.teams: create, list, my, get, members, add_member, update_member, remove_member."""

from __future__ import annotations

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given, upper


def member_input(account_id: str | None, email: str | None, role: str | None) -> dict[str, object]:
    return given(account_id=account_id, email=email, role=upper(role))


class Teams(SyncResource):
    def create(self, *, name: str, description: str | None = None,
               dry_run: bool = False) -> g.CreateTeamCreateTeam:
        spec = g.CreateTeamInput(**given(name=name, description=description))
        return self._gen.create_team(spec, dry_run=dry_run).create_team

    def list(self, *, max_results: int | None = None, mine_only: bool = False) -> SyncPage[g.TeamFields]:
        def fetch(token: str | None) -> Page[g.TeamFields]:
            res = self._gen.list_teams(max_results=max_results, next_token=token, mine_only=mine_only).teams
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def my(self, *, max_results: int | None = None) -> SyncPage[g.TeamFields]:
        """The teams you are a member of."""
        return self.list(max_results=max_results, mine_only=True)

    def get(self, id: str) -> g.TeamFields:
        return self._gen.get_team(id).team

    def members(self, team_id: str, *, max_results: int | None = None) -> SyncPage[g.TeamMemberFields]:
        def fetch(token: str | None) -> Page[g.TeamMemberFields]:
            res = self._gen.list_team_members(team_id, max_results=max_results, next_token=token).team_members
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def add_member(self, team_id: str, *, account_id: str | None = None, email: str | None = None,
                   role: str | None = None, dry_run: bool = False) -> g.AddTeamMemberAddTeamMember:
        """Add a person by account id or by email (give exactly one)."""
        spec = g.AddTeamMemberInput(**member_input(account_id, email, role))
        return self._gen.add_team_member(team_id, spec, dry_run=dry_run).add_team_member

    def update_member(self, team_id: str, member_id: str, *, role: str,
                      dry_run: bool = False) -> g.UpdateTeamMemberUpdateTeamMember:
        return self._gen.update_team_member(team_id, member_id, g.TeamRole(upper(role)),
                                            dry_run=dry_run).update_team_member

    def remove_member(self, team_id: str, member_id: str, *,
                      dry_run: bool = False) -> g.RemoveTeamMemberRemoveTeamMember:
        return self._gen.remove_team_member(team_id, member_id, dry_run=dry_run).remove_team_member


class AsyncTeams(AsyncResource):
    async def create(self, *, name: str, description: str | None = None,
                     dry_run: bool = False) -> a.CreateTeamCreateTeam:
        spec = a.CreateTeamInput(**given(name=name, description=description))
        return (await self._gen.create_team(spec, dry_run=dry_run)).create_team

    def list(self, *, max_results: int | None = None, mine_only: bool = False) -> AsyncPage[a.TeamFields]:
        async def fetch(token: str | None) -> Page[a.TeamFields]:
            res = (await self._gen.list_teams(max_results=max_results, next_token=token, mine_only=mine_only)).teams
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    def my(self, *, max_results: int | None = None) -> AsyncPage[a.TeamFields]:
        """The teams you are a member of."""
        return self.list(max_results=max_results, mine_only=True)

    async def get(self, id: str) -> a.TeamFields:
        return (await self._gen.get_team(id)).team

    def members(self, team_id: str, *, max_results: int | None = None) -> AsyncPage[a.TeamMemberFields]:
        async def fetch(token: str | None) -> Page[a.TeamMemberFields]:
            res = (await self._gen.list_team_members(team_id, max_results=max_results, next_token=token)).team_members
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def add_member(self, team_id: str, *, account_id: str | None = None, email: str | None = None,
                         role: str | None = None, dry_run: bool = False) -> a.AddTeamMemberAddTeamMember:
        """Add a person by account id or by email (give exactly one)."""
        spec = a.AddTeamMemberInput(**member_input(account_id, email, role))
        return (await self._gen.add_team_member(team_id, spec, dry_run=dry_run)).add_team_member

    async def update_member(self, team_id: str, member_id: str, *, role: str,
                            dry_run: bool = False) -> a.UpdateTeamMemberUpdateTeamMember:
        return (await self._gen.update_team_member(team_id, member_id, a.TeamRole(upper(role)),
                                                   dry_run=dry_run)).update_team_member

    async def remove_member(self, team_id: str, member_id: str, *,
                            dry_run: bool = False) -> a.RemoveTeamMemberRemoveTeamMember:
        return (await self._gen.remove_team_member(team_id, member_id, dry_run=dry_run)).remove_team_member
