from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyFields


class GenerateSshKey(BaseModel):
    generate_ssh_key: "GenerateSshKeyGenerateSshKey" = Field(alias="generateSshKey")


class GenerateSshKeyGenerateSshKey(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    private_key: Optional[str] = Field(alias="privateKey")
    ssh_key: "GenerateSshKeyGenerateSshKeySshKey" = Field(alias="sshKey")


GenerateSshKeyGenerateSshKeySshKey = SshKeyFields
GenerateSshKey.model_rebuild()
GenerateSshKeyGenerateSshKey.model_rebuild()
