from pydantic import Field

from .base_model import BaseModel
from .fragments import SubnetFields


class DeleteSubnet(BaseModel):
    delete_subnet: "DeleteSubnetDeleteSubnet" = Field(alias="deleteSubnet")


class DeleteSubnetDeleteSubnet(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    subnet: "DeleteSubnetDeleteSubnetSubnet"


DeleteSubnetDeleteSubnetSubnet = SubnetFields
DeleteSubnet.model_rebuild()
DeleteSubnetDeleteSubnet.model_rebuild()
