from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import ApiKeyFields


class ListApiKeys(BaseModel):
    api_keys: "ListApiKeysApiKeys" = Field(alias="apiKeys")


class ListApiKeysApiKeys(BaseModel):
    items: list["ListApiKeysApiKeysItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListApiKeysApiKeysItems = ApiKeyFields
ListApiKeys.model_rebuild()
ListApiKeysApiKeys.model_rebuild()
