from pydantic import Field

from .base_model import BaseModel
from .fragments import ModelDeploymentFields


class DeployModel(BaseModel):
    deploy_model: "DeployModelDeployModel" = Field(alias="deployModel")


class DeployModelDeployModel(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    model_deployment: "DeployModelDeployModelModelDeployment" = Field(
        alias="modelDeployment"
    )


DeployModelDeployModelModelDeployment = ModelDeploymentFields
DeployModel.model_rebuild()
DeployModelDeployModel.model_rebuild()
