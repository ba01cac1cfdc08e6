from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import ClusterFields


class ListClusters(BaseModel):
    clusters: "ListClustersClusters"


class ListClustersClusters(BaseModel):
    items: list["ListClustersClustersItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListClustersClustersItems = ClusterFields
ListClusters.model_rebuild()
ListClustersClusters.model_rebuild()
