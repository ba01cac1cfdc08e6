from pydantic import Field

from .base_model import BaseModel
from .fragments import VmFields


class StopVm(BaseModel):
    stop_vm: "StopVmStopVm" = Field(alias="stopVm")


class StopVmStopVm(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm: "StopVmStopVmVm"


StopVmStopVmVm = VmFields
StopVm.model_rebuild()
StopVmStopVm.model_rebuild()
