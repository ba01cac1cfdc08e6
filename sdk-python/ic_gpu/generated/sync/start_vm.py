from pydantic import Field

from .base_model import BaseModel
from .fragments import VmFields


class StartVm(BaseModel):
    start_vm: "StartVmStartVm" = Field(alias="startVm")


class StartVmStartVm(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm: "StartVmStartVmVm"


StartVmStartVmVm = VmFields
StartVm.model_rebuild()
StartVmStartVm.model_rebuild()
