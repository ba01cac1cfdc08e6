from pydantic import Field

from .base_model import BaseModel
from .fragments import SlurmEnvironmentFields


class DeleteSlurmEnvironment(BaseModel):
    delete_slurm_environment: "DeleteSlurmEnvironmentDeleteSlurmEnvironment" = Field(
        alias="deleteSlurmEnvironment"
    )


class DeleteSlurmEnvironmentDeleteSlurmEnvironment(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    slurm_environment: "DeleteSlurmEnvironmentDeleteSlurmEnvironmentSlurmEnvironment" = Field(
        alias="slurmEnvironment"
    )


DeleteSlurmEnvironmentDeleteSlurmEnvironmentSlurmEnvironment = SlurmEnvironmentFields
DeleteSlurmEnvironment.model_rebuild()
DeleteSlurmEnvironmentDeleteSlurmEnvironment.model_rebuild()
