from pydantic import Field

from .base_model import BaseModel
from .fragments import GpuFunctionFields


class UpdateFunction(BaseModel):
    update_function: "UpdateFunctionUpdateFunction" = Field(alias="updateFunction")


class UpdateFunctionUpdateFunction(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    function: "UpdateFunctionUpdateFunctionFunction"


UpdateFunctionUpdateFunctionFunction = GpuFunctionFields
UpdateFunction.model_rebuild()
UpdateFunctionUpdateFunction.model_rebuild()
