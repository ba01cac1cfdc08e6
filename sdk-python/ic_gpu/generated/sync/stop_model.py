from pydantic import Field

from .base_model import BaseModel
from .fragments import ModelDeploymentFields


class StopModel(BaseModel):
    stop_model: "StopModelStopModel" = Field(alias="stopModel")


class StopModelStopModel(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    model_deployment: "StopModelStopModelModelDeployment" = Field(
        alias="modelDeployment"
    )


StopModelStopModelModelDeployment = ModelDeploymentFields
StopModel.model_rebuild()
StopModelStopModel.model_rebuild()
