from pydantic import Field

from .base_model import BaseModel
from .fragments import VmTemplateFields


class GetVmTemplate(BaseModel):
    vm_template: "GetVmTemplateVmTemplate" = Field(alias="vmTemplate")


GetVmTemplateVmTemplate = VmTemplateFields
GetVmTemplate.model_rebuild()
