from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceFields


class UpdateInstance(BaseModel):
    update_instance: "UpdateInstanceUpdateInstance" = Field(alias="updateInstance")


class UpdateInstanceUpdateInstance(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    instance: "UpdateInstanceUpdateInstanceInstance"


UpdateInstanceUpdateInstanceInstance = InstanceFields
UpdateInstance.model_rebuild()
UpdateInstanceUpdateInstance.model_rebuild()
