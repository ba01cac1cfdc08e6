from .base_model import BaseModel
from .fragments import GpuFunctionFields


class GetFunction(BaseModel):
    function: "GetFunctionFunction"


GetFunctionFunction = GpuFunctionFields
GetFunction.model_rebuild()
