"""GraphQL types for VM templates, VMs and VM networks (subnets, firewall rules, attachments)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from icgpu.api.graphql.types.payloads import MutationPayload
from icgpu.db.tables_vms import FirewallRule as FirewallRuleRow
from icgpu.db.tables_vms import Subnet as SubnetRow
from icgpu.db.tables_vms import Vm as VmRow
from icgpu.db.tables_vms import VmNetwork as VmNetworkRow
from icgpu.db.tables_vms import VmNetworkAttachment as AttachmentRow
from icgpu.services.vm_states import VmStatus as Status
from icgpu.services.vm_templates import VmTemplate as TemplateRow

VmStatus = strawberry.enum(Status, name="VmStatus", description="Lifecycle status of a VM.")


@strawberry.type(description="A VM template: the image a VM boots, its default GPU tier and its size limits.")
class VmTemplate:
    id: strawberry.ID
    name: str
    description: str
    os: str
    gpu: bool
    gpu_tier: str | None = strawberry.field(description="The default GPU tier; null for a CPU-only template.")
    default_cpu: int
    max_cpu: int
    default_memory_gb: int
    max_memory_gb: int
    default_disk_gb: int
    min_disk_gb: int
    max_disk_gb: int

    @classmethod
    def from_template(cls, t: TemplateRow) -> VmTemplate:
        return cls(id=strawberry.ID(t.id), name=t.name, description=t.description, os=t.os, gpu=t.gpu,
                   gpu_tier=t.gpu_tier, default_cpu=t.default_cpu, max_cpu=t.max_cpu,
                   default_memory_gb=t.default_memory_gb, max_memory_gb=t.max_memory_gb,
                   default_disk_gb=t.default_disk_gb, min_disk_gb=t.min_disk_gb, max_disk_gb=t.max_disk_gb)


@strawberry.type(description="A virtual machine.")
class Vm:
    id: strawberry.ID
    name: str
    template_id: str
    cpu: int
    memory_gb: int
    disk_gb: int
    gpu_tier: str | None = strawberry.field(description="Null for a CPU-only VM.")
    ssh_key: str | None
    ssh_key_group: str | None
    team_id: str | None
    status: VmStatus  # type: ignore[valid-type]
    status_reason: str | None
    ssh_host: str | None
    ssh_port: int | None
    auto_stop_after_minutes: int | None
    auto_stop_at: datetime | None = strawberry.field(description="When the running VM will be stopped.")
    account_id: str
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None

    @classmethod
    def from_row(cls, r: VmRow) -> Vm:
        return cls(id=strawberry.ID(r.id), name=r.name, template_id=r.template_id, cpu=r.cpu, memory_gb=r.memory_gb,
                   disk_gb=r.disk_gb, gpu_tier=r.gpu_tier, ssh_key=r.ssh_key, ssh_key_group=r.ssh_key_group_id,
                   team_id=r.team_id, status=Status(r.status), status_reason=r.status_reason, ssh_host=r.ssh_host,
                   ssh_port=r.ssh_port, auto_stop_after_minutes=r.auto_stop_after_minutes,
                   auto_stop_at=r.auto_stop_at, account_id=r.account_id, created_at=r.created_at,
                   updated_at=r.updated_at, terminated_at=r.terminated_at)


@strawberry.type(description="One page of VMs.")
class VmConnection:
    items: list[Vm]
    next_token: str | None


@strawberry.type(description="A private network for VMs.")
class VmNetwork:
    id: strawberry.ID
    name: str
    description: str
    team_id: str | None
    account_id: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, r: VmNetworkRow) -> VmNetwork:
        return cls(id=strawberry.ID(r.id), name=r.name, description=r.description, team_id=r.team_id,
                   account_id=r.account_id, created_at=r.created_at, updated_at=r.updated_at)


@strawberry.type(description="One page of VM networks.")
class VmNetworkConnection:
    items: list[VmNetwork]
    next_token: str | None


@strawberry.type(description="A subnet of a VM network (a private CIDR block).")
class Subnet:
    id: strawberry.ID
    network_id: str
    name: str
    cidr: str
    created_at: datetime

    @classmethod
    def from_row(cls, r: SubnetRow) -> Subnet:
        return cls(id=strawberry.ID(r.id), network_id=r.network_id, name=r.name, cidr=r.cidr, created_at=r.created_at)


@strawberry.type(description="One page of subnets.")
class SubnetConnection:
    items: list[Subnet]
    next_token: str | None


@strawberry.type(description="A firewall rule of a VM network.")
class FirewallRule:
    id: strawberry.ID
    network_id: str
    direction: str = strawberry.field(description="ingress or egress")
    protocol: str = strawberry.field(description="tcp, udp, icmp or all")
    port_range: str | None = strawberry.field(description='"22" or "8000-8100"; null for icmp and all')
    source: str = strawberry.field(description="a CIDR")
    action: str = strawberry.field(description="allow or deny")
    description: str
    created_at: datetime

    @classmethod
    def from_row(cls, r: FirewallRuleRow) -> FirewallRule:
        return cls(id=strawberry.ID(r.id), network_id=r.network_id, direction=r.direction, protocol=r.protocol,
                   port_range=r.port_range, source=r.source, action=r.action, description=r.description,
                   created_at=r.created_at)


@strawberry.type(description="One page of firewall rules.")
class FirewallRuleConnection:
    items: list[FirewallRule]
    next_token: str | None


@strawberry.type(description="A VM on a network: the subnet it joined and its address there.")
class VmNetworkAttachment:
    vm_id: str
    network_id: str
    name: str = strawberry.field(description="The network's name.")
    subnet_id: str
    cidr: str
    ip_address: str
    created_at: datetime

    @classmethod
    def from_rows(cls, a: AttachmentRow, n: VmNetworkRow, s: SubnetRow) -> VmNetworkAttachment:
        return cls(vm_id=a.vm_id, network_id=n.id, name=n.name, subnet_id=s.id, cidr=s.cidr,
                   ip_address=a.ip_address, created_at=a.created_at)


@strawberry.input(description="A new VM; cpu, memoryGb and diskGb default to the template's.")
class CreateVmInput:
    name: str
    template_id: str
    cpu: int | None = None
    memory_gb: int | None = None
    disk_gb: int | None = None
    ssh_key: str | None = None
    ssh_key_group: str | None = strawberry.field(default=None, description="grant every key in this group")
    gpu_tier: str | None = strawberry.field(default=None, description="override the template's GPU tier")
    team_id: str | None = strawberry.field(default=None, description="share the VM with this team")
    auto_stop_after_minutes: int | None = strawberry.field(
        default=None, description="stop the VM this many minutes after it starts running")


@strawberry.input(description="What can change in place on a VM.")
class UpdateVmInput:
    name: str | None = None
    auto_stop_after_minutes: int | None = strawberry.field(
        default=strawberry.UNSET, description="minutes before a running VM is stopped; null turns auto-stop off")


@strawberry.input(description="Attach a VM to your network of this name, creating it with the subnet if new.")
class AttachVmNetworkInput:
    name: str
    cidr: str | None = None


@strawberry.input(description="A new VM network.")
class CreateVmNetworkInput:
    name: str
    description: str = ""
    team_id: str | None = strawberry.field(default=None, description="share the network with this team")


@strawberry.input(description="A new subnet: a private CIDR block that overlaps no other subnet of the network.")
class CreateSubnetInput:
    name: str
    cidr: str


@strawberry.input(description="A new firewall rule.")
class CreateFirewallRuleInput:
    direction: str
    protocol: str
    source: str
    action: str
    port_range: str | None = None
    description: str = ""


@strawberry.type(description="A VM as a mutation left it (or would leave it, in a dry run).")
class VmPayload(MutationPayload):
    vm: Vm


@strawberry.type(description="A VM network as a mutation left it (or would leave it, in a dry run).")
class VmNetworkPayload(MutationPayload):
    vm_network: VmNetwork


@strawberry.type(description="A subnet as a mutation left it (or would leave it, in a dry run).")
class SubnetPayload(MutationPayload):
    subnet: Subnet


@strawberry.type(description="A firewall rule as a mutation left it (or would leave it, in a dry run).")
class FirewallRulePayload(MutationPayload):
    firewall_rule: FirewallRule


@strawberry.type(description="A VM's network attachment as a mutation left it (or would leave it, in a dry run).")
class VmNetworkAttachmentPayload(MutationPayload):
    vm_network: VmNetworkAttachment
