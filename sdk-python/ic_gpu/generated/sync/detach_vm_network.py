from pydantic import Field

from .base_model import BaseModel
from .fragments import VmNetworkAttachmentFields


class DetachVmNetwork(BaseModel):
    detach_vm_network: "DetachVmNetworkDetachVmNetwork" = Field(alias="detachVmNetwork")


class DetachVmNetworkDetachVmNetwork(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_network: "DetachVmNetworkDetachVmNetworkVmNetwork" = Field(alias="vmNetwork")


DetachVmNetworkDetachVmNetworkVmNetwork = VmNetworkAttachmentFields
DetachVmNetwork.model_rebuild()
DetachVmNetworkDetachVmNetwork.model_rebuild()
