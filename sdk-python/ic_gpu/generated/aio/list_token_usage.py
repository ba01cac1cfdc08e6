from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import TokenUsageFields


class ListTokenUsage(BaseModel):
    token_usage: "ListTokenUsageTokenUsage" = Field(alias="tokenUsage")


class ListTokenUsageTokenUsage(BaseModel):
    items: list["ListTokenUsageTokenUsageItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListTokenUsageTokenUsageItems = TokenUsageFields
ListTokenUsage.model_rebuild()
ListTokenUsageTokenUsage.model_rebuild()
