from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyGroupFields


class RemoveSshKeyFromGroup(BaseModel):
    remove_ssh_key_from_group: "RemoveSshKeyFromGroupRemoveSshKeyFromGroup" = Field(
        alias="removeSshKeyFromGroup"
    )


class RemoveSshKeyFromGroupRemoveSshKeyFromGroup(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    ssh_key_group: "RemoveSshKeyFromGroupRemoveSshKeyFromGroupSshKeyGroup" = Field(
        alias="sshKeyGroup"
    )


RemoveSshKeyFromGroupRemoveSshKeyFromGroupSshKeyGroup = SshKeyGroupFields
RemoveSshKeyFromGroup.model_rebuild()
RemoveSshKeyFromGroupRemoveSshKeyFromGroup.model_rebuild()
