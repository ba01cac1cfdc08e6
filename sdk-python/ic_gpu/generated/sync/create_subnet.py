from pydantic import Field

from .base_model import BaseModel
from .fragments import SubnetFields


class CreateSubnet(BaseModel):
    create_subnet: "CreateSubnetCreateSubnet" = Field(alias="createSubnet")


class CreateSubnetCreateSubnet(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    subnet: "CreateSubnetCreateSubnetSubnet"


CreateSubnetCreateSubnetSubnet = SubnetFields
CreateSubnet.model_rebuild()
CreateSubnetCreateSubnet.model_rebuild()
