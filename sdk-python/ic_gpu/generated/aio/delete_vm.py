from pydantic import Field

from .base_model import BaseModel
from .fragments import VmFields


class DeleteVm(BaseModel):
    delete_vm: "DeleteVmDeleteVm" = Field(alias="deleteVm")


class DeleteVmDeleteVm(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm: "DeleteVmDeleteVmVm"


DeleteVmDeleteVmVm = VmFields
DeleteVm.model_rebuild()
DeleteVmDeleteVm.model_rebuild()
