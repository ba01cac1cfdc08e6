from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import GpuFunctionFields


class ListFunctions(BaseModel):
    functions: "ListFunctionsFunctions"


class ListFunctionsFunctions(BaseModel):
    items: list["ListFunctionsFunctionsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListFunctionsFunctionsItems = GpuFunctionFields
ListFunctions.model_rebuild()
ListFunctionsFunctions.model_rebuild()
