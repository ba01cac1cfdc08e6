"""REST response shapes of VM templates, VMs and VM networks (for the OpenAPI document only; see
schemas.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from icgpu.api.rest.schemas import TIER_IDS, DryRun, Shape, one_of
from icgpu.services.vm_states import VmStatus
from icgpu.services.vm_templates import TEMPLATES

VM_STATUSES = tuple(s.value for s in VmStatus)


class VmTemplate(Shape):
    id: str = one_of(TEMPLATES)
    name: str
    description: str
    os: str
    gpu: bool
    gpu_tier: str | None = Field(description="the default GPU tier; null for a CPU-only template")
    default_cpu: int
    max_cpu: int
    default_memory_gb: int
    max_memory_gb: int
    default_disk_gb: int
    min_disk_gb: int
    max_disk_gb: int


class VmTemplateList(Shape):
    vm_templates: list[VmTemplate]


class Vm(Shape):
    id: str
    name: str
    template_id: str = one_of(TEMPLATES)
    cpu: int
    memory_gb: int
    disk_gb: int
    gpu_tier: str | None = Field(description=f"one of {', '.join(TIER_IDS)}; null for a CPU-only VM")
    ssh_key: str | None
    ssh_key_group: str | None
    team_id: str | None
    status: str = one_of(VM_STATUSES)
    status_reason: str | None
    ssh_host: str | None
    ssh_port: int | None
    auto_stop_after_minutes: int | None
    auto_stop_at: datetime | None = Field(description="when the running VM will be stopped; null when none")
    account_id: str
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None


class VmList(Shape):
    vms: list[Vm]
    nextToken: str | None = Field(description="pass as nextToken for the next page; null on the last")


class VmNetwork(Shape):
    id: str
    name: str
    description: str
    team_id: str | None
    account_id: str
    created_at: datetime
    updated_at: datetime


class VmNetworkList(Shape):
    vm_networks: list[VmNetwork]
    nextToken: str | None


class Subnet(Shape):
    id: str
    network_id: str
    name: str
    cidr: str
    created_at: datetime


class SubnetList(Shape):
    subnets: list[Subnet]
    nextToken: str | None


class FirewallRule(Shape):
    id: str
    network_id: str
    direction: str = one_of(("ingress", "egress"))
    protocol: str = one_of(("tcp", "udp", "icmp", "all"))
    port_range: str | None
    source: str
    action: str = one_of(("allow", "deny"))
    description: str
    created_at: datetime


class FirewallRuleList(Shape):
    firewall_rules: list[FirewallRule]
    nextToken: str | None


class VmNetworkAttachment(Shape):
    """A VM on a network: the network, the subnet it joined and its address there."""

    vm_id: str
    network_id: str
    name: str = Field(description="the network's name")
    subnet_id: str
    cidr: str
    ip_address: str
    created_at: datetime


class VmNetworkAttachmentList(Shape):
    vm_networks: list[VmNetworkAttachment]
    nextToken: str | None = Field(description="always null: a VM is on at most 16 networks, one page")


class DryRunVm(DryRun):
    vm: Vm


class DryRunVmNetwork(DryRun):
    vm_network: VmNetwork


class DryRunSubnet(DryRun):
    subnet: Subnet


class DryRunFirewallRule(DryRun):
    firewall_rule: FirewallRule


class DryRunVmNetworkAttachment(DryRun):
    vm_network: VmNetworkAttachment
