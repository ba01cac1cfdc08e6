from pydantic import Field

from .base_model import BaseModel
from .fragments import CatalogueModelFields


class ModelCatalogue(BaseModel):
    model_catalogue: list["ModelCatalogueModelCatalogue"] = Field(
        alias="modelCatalogue"
    )


ModelCatalogueModelCatalogue = CatalogueModelFields
ModelCatalogue.model_rebuild()
