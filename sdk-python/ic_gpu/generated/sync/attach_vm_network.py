from pydantic import Field

from .base_model import BaseModel
from .fragments import VmNetworkAttachmentFields


class AttachVmNetwork(BaseModel):
    attach_vm_network: "AttachVmNetworkAttachVmNetwork" = Field(alias="attachVmNetwork")


class AttachVmNetworkAttachVmNetwork(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    vm_network: "AttachVmNetworkAttachVmNetworkVmNetwork" = Field(alias="vmNetwork")


AttachVmNetworkAttachVmNetworkVmNetwork = VmNetworkAttachmentFields
AttachVmNetwork.model_rebuild()
AttachVmNetworkAttachVmNetwork.model_rebuild()
