from pydantic import Field

from .base_model import BaseModel
from .fragments import TeamFields


class CreateTeam(BaseModel):
    create_team: "CreateTeamCreateTeam" = Field(alias="createTeam")


class CreateTeamCreateTeam(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    team: "CreateTeamCreateTeamTeam"


CreateTeamCreateTeamTeam = TeamFields
CreateTeam.model_rebuild()
CreateTeamCreateTeam.model_rebuild()
