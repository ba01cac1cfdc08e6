from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceFields


class CreateInstance(BaseModel):
    create_instance: "CreateInstanceCreateInstance" = Field(alias="createInstance")


class CreateInstanceCreateInstance(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    instance: "CreateInstanceCreateInstanceInstance"


CreateInstanceCreateInstanceInstance = InstanceFields
CreateInstance.model_rebuild()
CreateInstanceCreateInstance.model_rebuild()
