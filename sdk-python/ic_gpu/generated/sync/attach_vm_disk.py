from pydantic import Field

from .base_model import BaseModel
from .fragments import VmDiskFields


class AttachVmDisk(BaseModel):
    attach_vm_disk: "AttachVmDiskAttachVmDisk" = Field(alias="attachVmDisk")


class AttachVmDiskAttachVmDisk(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_disk: "AttachVmDiskAttachVmDiskVmDisk" = Field(alias="vmDisk")


AttachVmDiskAttachVmDiskVmDisk = VmDiskFields
AttachVmDisk.model_rebuild()
AttachVmDiskAttachVmDisk.model_rebuild()
