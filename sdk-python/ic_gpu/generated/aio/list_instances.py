from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceFields


class ListInstances(BaseModel):
    instances: "ListInstancesInstances"


class ListInstancesInstances(BaseModel):
    items: list["ListInstancesInstancesItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListInstancesInstancesItems = InstanceFields
ListInstances.model_rebuild()
ListInstancesInstances.model_rebuild()
