from pydantic import Field

from .base_model import BaseModel
from .fragments import TokenBalanceFields


class GetTokenBalance(BaseModel):
    token_balance: "GetTokenBalanceTokenBalance" = Field(alias="tokenBalance")


GetTokenBalanceTokenBalance = TokenBalanceFields
GetTokenBalance.model_rebuild()
