from pydantic import Field

from .base_model import BaseModel
from .fragments import FunctionRunFields


class GetFunctionRun(BaseModel):
    function_run: "GetFunctionRunFunctionRun" = Field(alias="functionRun")


GetFunctionRunFunctionRun = FunctionRunFields
GetFunctionRun.model_rebuild()
