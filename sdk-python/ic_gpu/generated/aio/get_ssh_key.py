from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyFields


class GetSshKey(BaseModel):
    ssh_key: "GetSshKeySshKey" = Field(alias="sshKey")


GetSshKeySshKey = SshKeyFields
GetSshKey.model_rebuild()
