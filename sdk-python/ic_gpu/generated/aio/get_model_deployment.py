from pydantic import Field

from .base_model import BaseModel
from .fragments import ModelDeploymentFields


class GetModelDeployment(BaseModel):
    model_deployment: "GetModelDeploymentModelDeployment" = Field(
        alias="modelDeployment"
    )


GetModelDeploymentModelDeployment = ModelDeploymentFields
GetModelDeployment.model_rebuild()
