from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyGroupFields


class AddSshKeyToGroup(BaseModel):
    add_ssh_key_to_group: "AddSshKeyToGroupAddSshKeyToGroup" = Field(
        alias="addSshKeyToGroup"
    )


class AddSshKeyToGroupAddSshKeyToGroup(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    ssh_key_group: "AddSshKeyToGroupAddSshKeyToGroupSshKeyGroup" = Field(
        alias="sshKeyGroup"
    )


AddSshKeyToGroupAddSshKeyToGroupSshKeyGroup = SshKeyGroupFields
AddSshKeyToGroup.model_rebuild()
AddSshKeyToGroupAddSshKeyToGroup.model_rebuild()
