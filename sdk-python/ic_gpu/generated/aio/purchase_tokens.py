from pydantic import Field

from .base_model import BaseModel
from .fragments import TokenPurchaseFields


class PurchaseTokens(BaseModel):
    purchase_tokens: "PurchaseTokensPurchaseTokens" = Field(alias="purchaseTokens")


class PurchaseTokensPurchaseTokens(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    purchase: "PurchaseTokensPurchaseTokensPurchase"


PurchaseTokensPurchaseTokensPurchase = TokenPurchaseFields
PurchaseTokens.model_rebuild()
PurchaseTokensPurchaseTokens.model_rebuild()
