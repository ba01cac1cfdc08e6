from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceStatusEventFields


class WatchInstanceStatus(BaseModel):
    instance_status: "WatchInstanceStatusInstanceStatus" = Field(alias="instanceStatus")


WatchInstanceStatusInstanceStatus = InstanceStatusEventFields
WatchInstanceStatus.model_rebuild()
