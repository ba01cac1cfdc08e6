from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyGroupFields


class ListSshKeyGroups(BaseModel):
    ssh_key_groups: "ListSshKeyGroupsSshKeyGroups" = Field(alias="sshKeyGroups")


class ListSshKeyGroupsSshKeyGroups(BaseModel):
    items: list["ListSshKeyGroupsSshKeyGroupsItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListSshKeyGroupsSshKeyGroupsItems = SshKeyGroupFields
ListSshKeyGroups.model_rebuild()
ListSshKeyGroupsSshKeyGroups.model_rebuild()
