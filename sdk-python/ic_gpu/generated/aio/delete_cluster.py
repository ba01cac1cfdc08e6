from pydantic import Field

from .base_model import BaseModel
from .fragments import ClusterFields


class DeleteCluster(BaseModel):
    delete_cluster: "DeleteClusterDeleteCluster" = Field(alias="deleteCluster")


class DeleteClusterDeleteCluster(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    cluster: "DeleteClusterDeleteClusterCluster"


DeleteClusterDeleteClusterCluster = ClusterFields
DeleteCluster.model_rebuild()
DeleteClusterDeleteCluster.model_rebuild()
