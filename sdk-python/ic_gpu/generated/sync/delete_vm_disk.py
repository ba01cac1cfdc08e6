from pydantic import Field

from .base_model import BaseModel
from .fragments import VmDiskFields


class DeleteVmDisk(BaseModel):
    delete_vm_disk: "DeleteVmDiskDeleteVmDisk" = Field(alias="deleteVmDisk")


class DeleteVmDiskDeleteVmDisk(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_disk: "DeleteVmDiskDeleteVmDiskVmDisk" = Field(alias="vmDisk")


DeleteVmDiskDeleteVmDiskVmDisk = VmDiskFields
DeleteVmDisk.model_rebuild()
DeleteVmDiskDeleteVmDisk.model_rebuild()
