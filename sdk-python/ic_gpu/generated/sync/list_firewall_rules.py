from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .fragments import FirewallRuleFields


class ListFirewallRules(BaseModel):
    firewall_rules: "ListFirewallRulesFirewallRules" = Field(alias="firewallRules")


class ListFirewallRulesFirewallRules(BaseModel):
    items: list["ListFirewallRulesFirewallRulesItems"]
    next_token: Optional[str] = Field(alias="nextToken")


ListFirewallRulesFirewallRulesItems = FirewallRuleFields
ListFirewallRules.model_rebuild()
ListFirewallRulesFirewallRules.model_rebuild()
