from pydantic import Field

from .base_model import BaseModel
from .fragments import VmFields


class UpdateVm(BaseModel):
    update_vm: "UpdateVmUpdateVm" = Field(alias="updateVm")


class UpdateVmUpdateVm(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm: "UpdateVmUpdateVmVm"


UpdateVmUpdateVmVm = VmFields
UpdateVm.model_rebuild()
UpdateVmUpdateVm.model_rebuild()
