from pydantic import Field

from .base_model import BaseModel


class ListClusterVersions(BaseModel):
    cluster_versions: list[str] = Field(alias="clusterVersions")
