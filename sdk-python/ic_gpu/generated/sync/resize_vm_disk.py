from pydantic import Field

from .base_model import BaseModel
from .fragments import VmDiskFields


class ResizeVmDisk(BaseModel):
    resize_vm_disk: "ResizeVmDiskResizeVmDisk" = Field(alias="resizeVmDisk")


class ResizeVmDiskResizeVmDisk(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_disk: "ResizeVmDiskResizeVmDiskVmDisk" = Field(alias="vmDisk")


ResizeVmDiskResizeVmDiskVmDisk = VmDiskFields
ResizeVmDisk.model_rebuild()
ResizeVmDiskResizeVmDisk.model_rebuild()
