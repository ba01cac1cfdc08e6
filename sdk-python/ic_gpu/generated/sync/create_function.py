from pydantic import Field

from .base_model import BaseModel
from .fragments import GpuFunctionFields


class CreateFunction(BaseModel):
    create_function: "CreateFunctionCreateFunction" = Field(alias="createFunction")


class CreateFunctionCreateFunction(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    function: "CreateFunctionCreateFunctionFunction"


CreateFunctionCreateFunctionFunction = GpuFunctionFields
CreateFunction.model_rebuild()
CreateFunctionCreateFunction.model_rebuild()
