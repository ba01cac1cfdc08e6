from pydantic import Field

from .base_model import BaseModel
from .fragments import ModelDeploymentFields


class ScaleModel(BaseModel):
    scale_model: "ScaleModelScaleModel" = Field(alias="scaleModel")


class ScaleModelScaleModel(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    model_deployment: "ScaleModelScaleModelModelDeployment" = Field(
        alias="modelDeployment"
    )


ScaleModelScaleModelModelDeployment = ModelDeploymentFields
ScaleModel.model_rebuild()
ScaleModelScaleModel.model_rebuild()
