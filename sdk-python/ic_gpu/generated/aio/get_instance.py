from .base_model import BaseModel
from .fragments import InstanceFields


class GetInstance(BaseModel):
    instance: "GetInstanceInstance"


GetInstanceInstance = InstanceFields
GetInstance.model_rebuild()
