from pydantic import Field

from .base_model import BaseModel
from .fragments import SpendingAlertFields


class UpdateSpendingAlert(BaseModel):
    update_spending_alert: "UpdateSpendingAlertUpdateSpendingAlert" = Field(
        alias="updateSpendingAlert"
    )


class UpdateSpendingAlertUpdateSpendingAlert(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    spending_alert: "UpdateSpendingAlertUpdateSpendingAlertSpendingAlert" = Field(
        alias="spendingAlert"
    )


UpdateSpendingAlertUpdateSpendingAlertSpendingAlert = SpendingAlertFields
UpdateSpendingAlert.model_rebuild()
UpdateSpendingAlertUpdateSpendingAlert.model_rebuild()
