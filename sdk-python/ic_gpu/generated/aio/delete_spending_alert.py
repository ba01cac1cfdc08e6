from pydantic import Field

from .base_model import BaseModel
from .fragments import SpendingAlertFields


class DeleteSpendingAlert(BaseModel):
    delete_spending_alert: "DeleteSpendingAlertDeleteSpendingAlert" = Field(
        alias="deleteSpendingAlert"
    )


class DeleteSpendingAlertDeleteSpendingAlert(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    spending_alert: "DeleteSpendingAlertDeleteSpendingAlertSpendingAlert" = Field(
        alias="spendingAlert"
    )


DeleteSpendingAlertDeleteSpendingAlertSpendingAlert = SpendingAlertFields
DeleteSpendingAlert.model_rebuild()
DeleteSpendingAlertDeleteSpendingAlert.model_rebuild()
