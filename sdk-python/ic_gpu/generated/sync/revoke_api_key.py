from pydantic import Field

from .base_model import BaseModel
from .fragments import ApiKeyFields


class RevokeApiKey(BaseModel):
    revoke_api_key: "RevokeApiKeyRevokeApiKey" = Field(alias="revokeApiKey")


class RevokeApiKeyRevokeApiKey(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    api_key: "RevokeApiKeyRevokeApiKeyApiKey" = Field(alias="apiKey")


RevokeApiKeyRevokeApiKeyApiKey = ApiKeyFields
RevokeApiKey.model_rebuild()
RevokeApiKeyRevokeApiKey.model_rebuild()
