from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import SubnetFields


class ListSubnets(BaseModel):
    subnets: "ListSubnetsSubnets"


class ListSubnetsSubnets(BaseModel):
    items: list["ListSubnetsSubnetsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListSubnetsSubnetsItems = SubnetFields
ListSubnets.model_rebuild()
ListSubnetsSubnets.model_rebuild()
