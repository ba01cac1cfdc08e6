from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import VmDiskFields


class ListVmDisks(BaseModel):
    vm_disks: "ListVmDisksVmDisks" = Field(alias="vmDisks")


class ListVmDisksVmDisks(BaseModel):
    items: list["ListVmDisksVmDisksItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListVmDisksVmDisksItems = VmDiskFields
ListVmDisks.model_rebuild()
ListVmDisksVmDisks.model_rebuild()
