from pydantic import Field

from .base_model import BaseModel
from .fragments import TeamMemberFields


class UpdateTeamMember(BaseModel):
    update_team_member: "UpdateTeamMemberUpdateTeamMember" = Field(
        alias="updateTeamMember"
    )


class UpdateTeamMemberUpdateTeamMember(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    member: "UpdateTeamMemberUpdateTeamMemberMember"


UpdateTeamMemberUpdateTeamMemberMember = TeamMemberFields
UpdateTeamMember.model_rebuild()
UpdateTeamMemberUpdateTeamMember.model_rebuild()
