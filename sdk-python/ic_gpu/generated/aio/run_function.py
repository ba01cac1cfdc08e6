from pydantic import Field

from .base_model import BaseModel
from .fragments import FunctionRunFields


class RunFunction(BaseModel):
    run_function: "RunFunctionRunFunction" = Field(alias="runFunction")


class RunFunctionRunFunction(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    run: "RunFunctionRunFunctionRun"


RunFunctionRunFunctionRun = FunctionRunFields
RunFunction.model_rebuild()
RunFunctionRunFunction.model_rebuild()
