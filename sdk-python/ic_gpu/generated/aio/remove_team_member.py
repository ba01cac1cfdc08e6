from pydantic import Field

from .base_model import BaseModel
from .fragments import TeamMemberFields


class RemoveTeamMember(BaseModel):
    remove_team_member: "RemoveTeamMemberRemoveTeamMember" = Field(
        alias="removeTeamMember"
    )


class RemoveTeamMemberRemoveTeamMember(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    member: "RemoveTeamMemberRemoveTeamMemberMember"


RemoveTeamMemberRemoveTeamMemberMember = TeamMemberFields
RemoveTeamMember.model_rebuild()
RemoveTeamMemberRemoveTeamMember.model_rebuild()
