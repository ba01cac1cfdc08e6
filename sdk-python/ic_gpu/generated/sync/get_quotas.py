from .base_model import BaseModel
from .fragments import QuotasFields


class GetQuotas(BaseModel):
    quotas: "GetQuotasQuotas"


GetQuotasQuotas = QuotasFields
GetQuotas.model_rebuild()
