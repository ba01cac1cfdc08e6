from pydantic import Field

from .base_model import BaseModel
from .fragments import FirewallRuleFields


class CreateFirewallRule(BaseModel):
    create_firewall_rule: "CreateFirewallRuleCreateFirewallRule" = Field(
        alias="createFirewallRule"
    )


class CreateFirewallRuleCreateFirewallRule(BaseModel):
    dry_run: bool = Field(alias="dryRun")
    valid: bool
    firewall_rule: "CreateFirewallRuleCreateFirewallRuleFirewallRule" = Field(
        alias="firewallRule"
    )


CreateFirewallRuleCreateFirewallRuleFirewallRule = FirewallRuleFields
CreateFirewallRule.model_rebuild()
CreateFirewallRuleCreateFirewallRule.model_rebuild()
