from pydantic import Field

from .base_model import BaseModel
from .fragments import SpendingAlertFields


class CreateSpendingAlert(BaseModel):
    create_spending_alert: "CreateSpendingAlertCreateSpendingAlert" = Field(
        alias="createSpendingAlert"
    )


class CreateSpendingAlertCreateSpendingAlert(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    spending_alert: "CreateSpendingAlertCreateSpendingAlertSpendingAlert" = Field(
        alias="spendingAlert"
    )


CreateSpendingAlertCreateSpendingAlertSpendingAlert = SpendingAlertFields
CreateSpendingAlert.model_rebuild()
CreateSpendingAlertCreateSpendingAlert.model_rebuild()
