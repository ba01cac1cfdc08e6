from pydantic import Field

from .base_model import BaseModel
from .fragments import VmNetworkFields


class DeleteVmNetwork(BaseModel):
    delete_vm_network: "DeleteVmNetworkDeleteVmNetwork" = Field(alias="deleteVmNetwork")


class DeleteVmNetworkDeleteVmNetwork(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_network: "DeleteVmNetworkDeleteVmNetworkVmNetwork" = Field(alias="vmNetwork")


DeleteVmNetworkDeleteVmNetworkVmNetwork = VmNetworkFields
DeleteVmNetwork.model_rebuild()
DeleteVmNetworkDeleteVmNetwork.model_rebuild()
