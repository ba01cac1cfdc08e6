from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyGroupFields


class GetSshKeyGroup(BaseModel):
    ssh_key_group: "GetSshKeyGroupSshKeyGroup" = Field(alias="sshKeyGroup")


GetSshKeyGroupSshKeyGroup = SshKeyGroupFields
GetSshKeyGroup.model_rebuild()
