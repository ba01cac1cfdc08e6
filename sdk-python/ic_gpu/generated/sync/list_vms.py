from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import VmFields


class ListVms(BaseModel):
    vms: "ListVmsVms"


class ListVmsVms(BaseModel):
    items: list["ListVmsVmsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListVmsVmsItems = VmFields
ListVms.model_rebuild()
ListVmsVms.model_rebuild()
