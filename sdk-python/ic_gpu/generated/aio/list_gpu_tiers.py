from pydantic import Field

from .base_model import BaseModel
from .fragments import GpuTierFields


class ListGpuTiers(BaseModel):
    gpu_tiers: list["ListGpuTiersGpuTiers"] = Field(alias="gpuTiers")


ListGpuTiersGpuTiers = GpuTierFields
ListGpuTiers.model_rebuild()
