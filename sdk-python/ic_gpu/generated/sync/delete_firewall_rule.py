from pydantic import Field

from .base_model import BaseModel
from .fragments import FirewallRuleFields


class DeleteFirewallRule(BaseModel):
    delete_firewall_rule: "DeleteFirewallRuleDeleteFirewallRule" = Field(
        alias="deleteFirewallRule"
    )


class DeleteFirewallRuleDeleteFirewallRule(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    firewall_rule: "DeleteFirewallRuleDeleteFirewallRuleFirewallRule" = Field(
        alias="firewallRule"
    )


DeleteFirewallRuleDeleteFirewallRuleFirewallRule = FirewallRuleFields
DeleteFirewallRule.model_rebuild()
DeleteFirewallRuleDeleteFirewallRule.model_rebuild()
