from pydantic import Field

from .base_model import BaseModel
from .fragments import KubeconfigFields


class GetClusterKubeconfig(BaseModel):
    cluster_kubeconfig: "GetClusterKubeconfigClusterKubeconfig" = Field(
        alias="clusterKubeconfig"
    )


GetClusterKubeconfigClusterKubeconfig = KubeconfigFields
GetClusterKubeconfig.model_rebuild()
