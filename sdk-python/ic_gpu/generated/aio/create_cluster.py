from pydantic import Field

from .base_model import BaseModel
from .fragments import ClusterFields


class CreateCluster(BaseModel):
    create_cluster: "CreateClusterCreateCluster" = Field(alias="createCluster")


class CreateClusterCreateCluster(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    cluster: "CreateClusterCreateClusterCluster"


CreateClusterCreateClusterCluster = ClusterFields
CreateCluster.model_rebuild()
CreateClusterCreateCluster.model_rebuild()
