from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import ApiKeyFields


class CreateApiKey(BaseModel):
    create_api_key: "CreateApiKeyCreateApiKey" = Field(alias="createApiKey")


class CreateApiKeyCreateApiKey(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    key: Optional[str]
    api_key: "CreateApiKeyCreateApiKeyApiKey" = Field(alias="apiKey")


CreateApiKeyCreateApiKeyApiKey = ApiKeyFields
CreateApiKey.model_rebuild()
CreateApiKeyCreateApiKey.model_rebuild()
