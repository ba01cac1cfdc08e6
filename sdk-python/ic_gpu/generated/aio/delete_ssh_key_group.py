from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyGroupFields


class DeleteSshKeyGroup(BaseModel):
    delete_ssh_key_group: "DeleteSshKeyGroupDeleteSshKeyGroup" = Field(
        alias="deleteSshKeyGroup"
    )


class DeleteSshKeyGroupDeleteSshKeyGroup(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    ssh_key_group: "DeleteSshKeyGroupDeleteSshKeyGroupSshKeyGroup" = Field(
        alias="sshKeyGroup"
    )


DeleteSshKeyGroupDeleteSshKeyGroupSshKeyGroup = SshKeyGroupFields
DeleteSshKeyGroup.model_rebuild()
DeleteSshKeyGroupDeleteSshKeyGroup.model_rebuild()
