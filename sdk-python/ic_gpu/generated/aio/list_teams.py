from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import TeamFields


class ListTeams(BaseModel):
    teams: "ListTeamsTeams"


class ListTeamsTeams(BaseModel):
    items: list["ListTeamsTeamsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListTeamsTeamsItems = TeamFields
ListTeams.model_rebuild()
ListTeamsTeams.model_rebuild()
