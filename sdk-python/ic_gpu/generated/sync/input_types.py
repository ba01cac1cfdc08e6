from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import TeamRole, WorkloadType


class AddTeamMemberInput(BaseModel):
    """Add a person to a team: give exactly one of accountId and email."""

    account_id: Optional[str] = Field(alias="accountId", default=None)
    email: Optional[str] = None
    role: TeamRole = TeamRole.MEMBER


class CreateApiKeyInput(BaseModel):
    name: str
    scopes: list[str]
    permissions: list[str] = Field(default_factory=lambda: ["read"])
    expires_in_days: Optional[int] = Field(alias="expiresInDays", default=None)


class CreateInstanceInput(BaseModel):
    """A new GPU instance."""

    name: str
    tier: str
    ssh_key: Optional[str] = Field(alias="sshKey", default=None)
    storage_gb: int = Field(alias="storageGb", default=50)
    workload_type: WorkloadType = Field(
        alias="workloadType", default=WorkloadType.INTERACTIVE
    )
    ssh_key_group: Optional[str] = Field(alias="sshKeyGroup", default=None)
    "grant every key in this group"
    team_id: Optional[str] = Field(alias="teamId", default=None)
    "share the instance with this team"


class CreateSshKeyGroupInput(BaseModel):
    name: str
    description: str = ""


class CreateTeamInput(BaseModel):
    name: str
    description: str = ""


class UpdateInstanceInput(BaseModel):
    """What can change in place on an instance."""

    name: Optional[str] = None
    "a new name, unique among your live instances"


class UploadSshKeyInput(BaseModel):
    name: str
    public_key: str = Field(alias="publicKey")
