from pydantic import Field

from .base_model import BaseModel
from .fragments import FunctionRunFields


class CancelFunctionRun(BaseModel):
    cancel_function_run: "CancelFunctionRunCancelFunctionRun" = Field(
        alias="cancelFunctionRun"
    )


class CancelFunctionRunCancelFunctionRun(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    run: "CancelFunctionRunCancelFunctionRunRun"


CancelFunctionRunCancelFunctionRunRun = FunctionRunFields
CancelFunctionRun.model_rebuild()
CancelFunctionRunCancelFunctionRun.model_rebuild()
