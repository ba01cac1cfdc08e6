from pydantic import Field

from .base_model import BaseModel
from .fragments import SpendingAlertFields


class GetSpendingAlert(BaseModel):
    spending_alert: "GetSpendingAlertSpendingAlert" = Field(alias="spendingAlert")


GetSpendingAlertSpendingAlert = SpendingAlertFields
GetSpendingAlert.model_rebuild()
