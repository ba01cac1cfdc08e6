from pydantic import Field

from .base_model import BaseModel
from .fragments import SlurmEnvironmentFields


class GetSlurmEnvironment(BaseModel):
    slurm_environment: "GetSlurmEnvironmentSlurmEnvironment" = Field(
        alias="slurmEnvironment"
    )


GetSlurmEnvironmentSlurmEnvironment = SlurmEnvironmentFields
GetSlurmEnvironment.model_rebuild()
