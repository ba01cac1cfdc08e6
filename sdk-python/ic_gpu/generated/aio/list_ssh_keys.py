from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import SshKeyFields


class ListSshKeys(BaseModel):
    ssh_keys: "ListSshKeysSshKeys" = Field(alias="sshKeys")


class ListSshKeysSshKeys(BaseModel):
    items: list["ListSshKeysSshKeysItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListSshKeysSshKeysItems = SshKeyFields
ListSshKeys.model_rebuild()
ListSshKeysSshKeys.model_rebuild()
