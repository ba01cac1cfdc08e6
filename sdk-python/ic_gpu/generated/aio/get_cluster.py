from .base_model import BaseModel
from .fragments import ClusterFields


class GetCluster(BaseModel):
    cluster: "GetClusterCluster"


GetClusterCluster = ClusterFields
GetCluster.model_rebuild()
