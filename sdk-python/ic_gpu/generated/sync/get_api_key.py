from pydantic import Field

from .base_model import BaseModel
from .fragments import ApiKeyFields


class GetApiKey(BaseModel):
    api_key: "GetApiKeyApiKey" = Field(alias="apiKey")


GetApiKeyApiKey = ApiKeyFields
GetApiKey.model_rebuild()
