from pydantic import Field

from .base_model import BaseModel
from .fragments import GpuFunctionFields


class DeleteFunction(BaseModel):
    delete_function: "DeleteFunctionDeleteFunction" = Field(alias="deleteFunction")


class DeleteFunctionDeleteFunction(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    function: "DeleteFunctionDeleteFunctionFunction"


DeleteFunctionDeleteFunctionFunction = GpuFunctionFields
DeleteFunction.model_rebuild()
DeleteFunctionDeleteFunction.model_rebuild()
