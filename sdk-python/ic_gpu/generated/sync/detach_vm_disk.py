from pydantic import Field

from .base_model import BaseModel
from .fragments import VmDiskFields


class DetachVmDisk(BaseModel):
    detach_vm_disk: "DetachVmDiskDetachVmDisk" = Field(alias="detachVmDisk")


class DetachVmDiskDetachVmDisk(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_disk: "DetachVmDiskDetachVmDiskVmDisk" = Field(alias="vmDisk")


DetachVmDiskDetachVmDiskVmDisk = VmDiskFields
DetachVmDisk.model_rebuild()
DetachVmDiskDetachVmDisk.model_rebuild()
