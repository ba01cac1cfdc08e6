from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceFields


class StartInstance(BaseModel):
    start_instance: "StartInstanceStartInstance" = Field(alias="startInstance")


class StartInstanceStartInstance(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    instance: "StartInstanceStartInstanceInstance"


StartInstanceStartInstanceInstance = InstanceFields
StartInstance.model_rebuild()
StartInstanceStartInstance.model_rebuild()
