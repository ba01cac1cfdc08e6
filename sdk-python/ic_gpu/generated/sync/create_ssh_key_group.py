from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyGroupFields


class CreateSshKeyGroup(BaseModel):
    create_ssh_key_group: "CreateSshKeyGroupCreateSshKeyGroup" = Field(
        alias="createSshKeyGroup"
    )


class CreateSshKeyGroupCreateSshKeyGroup(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    ssh_key_group: "CreateSshKeyGroupCreateSshKeyGroupSshKeyGroup" = Field(
        alias="sshKeyGroup"
    )


CreateSshKeyGroupCreateSshKeyGroupSshKeyGroup = SshKeyGroupFields
CreateSshKeyGroup.model_rebuild()
CreateSshKeyGroupCreateSshKeyGroup.model_rebuild()
