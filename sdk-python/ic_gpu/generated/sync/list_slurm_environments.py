from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import SlurmEnvironmentFields


class ListSlurmEnvironments(BaseModel):
    slurm_environments: "ListSlurmEnvironmentsSlurmEnvironments" = Field(
        alias="slurmEnvironments"
    )


class ListSlurmEnvironmentsSlurmEnvironments(BaseModel):
    items: list["ListSlurmEnvironmentsSlurmEnvironmentsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListSlurmEnvironmentsSlurmEnvironmentsItems = SlurmEnvironmentFields
ListSlurmEnvironments.model_rebuild()
ListSlurmEnvironmentsSlurmEnvironments.model_rebuild()
