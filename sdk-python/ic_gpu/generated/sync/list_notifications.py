from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import NotificationFields


class ListNotifications(BaseModel):
    notifications: "ListNotificationsNotifications"


class ListNotificationsNotifications(BaseModel):
    items: list["ListNotificationsNotificationsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListNotificationsNotificationsItems = NotificationFields
ListNotifications.model_rebuild()
ListNotificationsNotifications.model_rebuild()
