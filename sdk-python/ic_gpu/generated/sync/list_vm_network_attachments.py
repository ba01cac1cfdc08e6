from pydantic import Field

from .base_model import BaseModel
from .fragments import VmNetworkAttachmentFields


class ListVmNetworkAttachments(BaseModel):
    vm_network_attachments: list["ListVmNetworkAttachmentsVmNetworkAttachments"] = (
        Field(alias="vmNetworkAttachments")
    )


ListVmNetworkAttachmentsVmNetworkAttachments = VmNetworkAttachmentFields
ListVmNetworkAttachments.model_rebuild()
