from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceFields


class StopInstance(BaseModel):
    stop_instance: "StopInstanceStopInstance" = Field(alias="stopInstance")


class StopInstanceStopInstance(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    instance: "StopInstanceStopInstanceInstance"


StopInstanceStopInstanceInstance = InstanceFields
StopInstance.model_rebuild()
StopInstanceStopInstance.model_rebuild()
