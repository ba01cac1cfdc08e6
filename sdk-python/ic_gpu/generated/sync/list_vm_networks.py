from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import VmNetworkFields


class ListVmNetworks(BaseModel):
    vm_networks: "ListVmNetworksVmNetworks" = Field(alias="vmNetworks")


class ListVmNetworksVmNetworks(BaseModel):
    items: list["ListVmNetworksVmNetworksItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListVmNetworksVmNetworksItems = VmNetworkFields
ListVmNetworks.model_rebuild()
ListVmNetworksVmNetworks.model_rebuild()
