from pydantic import Field

from .base_model import BaseModel
from .fragments import TokenPackageFields


class ListTokenPackages(BaseModel):
    token_packages: list["ListTokenPackagesTokenPackages"] = Field(
        alias="tokenPackages"
    )


ListTokenPackagesTokenPackages = TokenPackageFields
ListTokenPackages.model_rebuild()
