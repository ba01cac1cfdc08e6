from .base_model import BaseModel
from .fragments import TeamFields


class GetTeam(BaseModel):
    team: "GetTeamTeam"


GetTeamTeam = TeamFields
GetTeam.model_rebuild()
