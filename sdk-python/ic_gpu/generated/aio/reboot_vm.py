from pydantic import Field

from .base_model import BaseModel
from .fragments import VmFields


class RebootVm(BaseModel):
    reboot_vm: "RebootVmRebootVm" = Field(alias="rebootVm")


class RebootVmRebootVm(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm: "RebootVmRebootVmVm"


RebootVmRebootVmVm = VmFields
RebootVm.model_rebuild()
RebootVmRebootVm.model_rebuild()
