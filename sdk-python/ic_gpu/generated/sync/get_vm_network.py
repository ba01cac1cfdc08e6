from pydantic import Field

from .base_model import BaseModel
from .fragments import VmNetworkFields


class GetVmNetwork(BaseModel):
    vm_network: "GetVmNetworkVmNetwork" = Field(alias="vmNetwork")


GetVmNetworkVmNetwork = VmNetworkFields
GetVmNetwork.model_rebuild()
