from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyFields


class UploadSshKey(BaseModel):
    upload_ssh_key: "UploadSshKeyUploadSshKey" = Field(alias="uploadSshKey")


class UploadSshKeyUploadSshKey(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    ssh_key: "UploadSshKeyUploadSshKeySshKey" = Field(alias="sshKey")


UploadSshKeyUploadSshKeySshKey = SshKeyFields
UploadSshKey.model_rebuild()
UploadSshKeyUploadSshKey.model_rebuild()
