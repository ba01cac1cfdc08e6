from pydantic import Field

from .base_model import BaseModel
from .fragments import VmNetworkFields


class CreateVmNetwork(BaseModel):
    create_vm_network: "CreateVmNetworkCreateVmNetwork" = Field(alias="createVmNetwork")


class CreateVmNetworkCreateVmNetwork(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_network: "CreateVmNetworkCreateVmNetworkVmNetwork" = Field(alias="vmNetwork")


CreateVmNetworkCreateVmNetworkVmNetwork = VmNetworkFields
CreateVmNetwork.model_rebuild()
CreateVmNetworkCreateVmNetwork.model_rebuild()
