from pydantic import Field

from .base_model import BaseModel
from .fragments import ModelDeploymentFields


class DeleteModel(BaseModel):
    delete_model: "DeleteModelDeleteModel" = Field(alias="deleteModel")


class DeleteModelDeleteModel(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    model_deployment: "DeleteModelDeleteModelModelDeployment" = Field(
        alias="modelDeployment"
    )


DeleteModelDeleteModelModelDeployment = ModelDeploymentFields
DeleteModel.model_rebuild()
DeleteModelDeleteModel.model_rebuild()
