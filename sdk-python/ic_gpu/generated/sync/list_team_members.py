from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import TeamMemberFields


class ListTeamMembers(BaseModel):
    team_members: "ListTeamMembersTeamMembers" = Field(alias="teamMembers")


class ListTeamMembersTeamMembers(BaseModel):
    items: list["ListTeamMembersTeamMembersItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListTeamMembersTeamMembersItems = TeamMemberFields
ListTeamMembers.model_rebuild()
ListTeamMembersTeamMembers.model_rebuild()
