from pydantic import Field

from .base_model import BaseModel
from .fragments import VmDiskFields


class GetVmDisk(BaseModel):
    vm_disk: "GetVmDiskVmDisk" = Field(alias="vmDisk")


GetVmDiskVmDisk = VmDiskFields
GetVmDisk.model_rebuild()
