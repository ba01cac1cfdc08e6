from .base_model import BaseModel
from .fragments import VmFields


class GetVm(BaseModel):
    vm: "GetVmVm"


GetVmVm = VmFields
GetVm.model_rebuild()
