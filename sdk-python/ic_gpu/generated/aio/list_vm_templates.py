from pydantic import Field

from .base_model import BaseModel
from .fragments import VmTemplateFields


class ListVmTemplates(BaseModel):
    vm_templates: list["ListVmTemplatesVmTemplates"] = Field(alias="vmTemplates")


ListVmTemplatesVmTemplates = VmTemplateFields
ListVmTemplates.model_rebuild()
