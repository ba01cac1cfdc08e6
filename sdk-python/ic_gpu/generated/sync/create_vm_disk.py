from pydantic import Field

from .base_model import BaseModel
from .fragments import VmDiskFields


class CreateVmDisk(BaseModel):
    create_vm_disk: "CreateVmDiskCreateVmDisk" = Field(alias="createVmDisk")


class CreateVmDiskCreateVmDisk(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_disk: "CreateVmDiskCreateVmDiskVmDisk" = Field(alias="vmDisk")


CreateVmDiskCreateVmDiskVmDisk = VmDiskFields
CreateVmDisk.model_rebuild()
CreateVmDiskCreateVmDisk.model_rebuild()
