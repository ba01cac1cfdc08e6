from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import FunctionRunFields


class ListFunctionRuns(BaseModel):
    function_runs: "ListFunctionRunsFunctionRuns" = Field(alias="functionRuns")


class ListFunctionRunsFunctionRuns(BaseModel):
    items: list["ListFunctionRunsFunctionRunsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListFunctionRunsFunctionRunsItems = FunctionRunFields
ListFunctionRuns.model_rebuild()
ListFunctionRunsFunctionRuns.model_rebuild()
