from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyFields


class DeleteSshKey(BaseModel):
    delete_ssh_key: "DeleteSshKeyDeleteSshKey" = Field(alias="deleteSshKey")


class DeleteSshKeyDeleteSshKey(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    ssh_key: "DeleteSshKeyDeleteSshKeySshKey" = Field(alias="sshKey")


DeleteSshKeyDeleteSshKeySshKey = SshKeyFields
DeleteSshKey.model_rebuild()
DeleteSshKeyDeleteSshKey.model_rebuild()
