from pydantic import Field

from .base_model import BaseModel
from .fragments import SlurmEnvironmentFields


class CreateSlurmEnvironment(BaseModel):
    create_slurm_environment: "CreateSlurmEnvironmentCreateSlurmEnvironment" = Field(
        alias="createSlurmEnvironment"
    )


class CreateSlurmEnvironmentCreateSlurmEnvironment(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    slurm_environment: "CreateSlurmEnvironmentCreateSlurmEnvironmentSlurmEnvironment" = Field(
        alias="slurmEnvironment"
    )


CreateSlurmEnvironmentCreateSlurmEnvironmentSlurmEnvironment = SlurmEnvironmentFields
CreateSlurmEnvironment.model_rebuild()
CreateSlurmEnvironmentCreateSlurmEnvironment.model_rebuild()
