from pydantic import Field

from .base_model import BaseModel
from .fragments import VmFields


class CreateVm(BaseModel):
    create_vm: "CreateVmCreateVm" = Field(alias="createVm")


class CreateVmCreateVm(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm: "CreateVmCreateVmVm"


CreateVmCreateVmVm = VmFields
CreateVm.model_rebuild()
CreateVmCreateVm.model_rebuild()
