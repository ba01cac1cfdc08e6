from pydantic import Field

from .base_model import BaseModel
from .fragments import TeamMemberFields


class AddTeamMember(BaseModel):
    add_team_member: "AddTeamMemberAddTeamMember" = Field(alias="addTeamMember")


class AddTeamMemberAddTeamMember(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    member: "AddTeamMemberAddTeamMemberMember"


AddTeamMemberAddTeamMemberMember = TeamMemberFields
AddTeamMember.model_rebuild()
AddTeamMemberAddTeamMember.model_rebuild()
