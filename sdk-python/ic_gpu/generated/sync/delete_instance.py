from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceFields


class DeleteInstance(BaseModel):
    delete_instance: "DeleteInstanceDeleteInstance" = Field(alias="deleteInstance")


class DeleteInstanceDeleteInstance(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    instance: "DeleteInstanceDeleteInstanceInstance"


DeleteInstanceDeleteInstanceInstance = InstanceFields
DeleteInstance.model_rebuild()
DeleteInstanceDeleteInstance.model_rebuild()
