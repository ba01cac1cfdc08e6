from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import SpendingAlertFields


class ListSpendingAlerts(BaseModel):
    spending_alerts: "ListSpendingAlertsSpendingAlerts" = Field(alias="spendingAlerts")


class ListSpendingAlertsSpendingAlerts(BaseModel):
    items: list["ListSpendingAlertsSpendingAlertsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListSpendingAlertsSpendingAlertsItems = SpendingAlertFields
ListSpendingAlerts.model_rebuild()
ListSpendingAlertsSpendingAlerts.model_rebuild()
