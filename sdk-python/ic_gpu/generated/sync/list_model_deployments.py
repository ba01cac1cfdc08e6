from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import ModelDeploymentFields


class ListModelDeployments(BaseModel):
    model_deployments: "ListModelDeploymentsModelDeployments" = Field(
        alias="modelDeployments"
    )


class ListModelDeploymentsModelDeployments(BaseModel):
    items: list["ListModelDeploymentsModelDeploymentsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListModelDeploymentsModelDeploymentsItems = ModelDeploymentFields
ListModelDeployments.model_rebuild()
ListModelDeploymentsModelDeployments.model_rebuild()
