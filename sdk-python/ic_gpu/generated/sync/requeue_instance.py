from pydantic import Field

from .base_model import BaseModel
from .fragments import InstanceFields


class RequeueInstance(BaseModel):
    requeue_instance: "RequeueInstanceRequeueInstance" = Field(alias="requeueInstance")


class RequeueInstanceRequeueInstance(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    instance: "RequeueInstanceRequeueInstanceInstance"


RequeueInstanceRequeueInstanceInstance = InstanceFields
RequeueInstance.model_rebuild()
RequeueInstanceRequeueInstance.model_rebuild()
