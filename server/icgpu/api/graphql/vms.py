"""GraphQL queries and mutations for VM templates, VMs and VM networks: protocol mapping only,
every rule is in services/vms.py and services/vm_networks.py."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from icgpu.api.graphql.inputs import parse_input
from icgpu.api.graphql.permissions import requires
from icgpu.api.graphql.types.payloads import DryRun
from icgpu.api.graphql.types.vm import (
    AttachVmNetworkInput,
    CreateFirewallRuleInput,
    CreateSubnetInput,
    CreateVmInput,
    CreateVmNetworkInput,
    FirewallRule,
    FirewallRuleConnection,
    FirewallRulePayload,
    Subnet,
    SubnetConnection,
    SubnetPayload,
    UpdateVmInput,
    Vm,
    VmConnection,
    VmNetwork,
    VmNetworkAttachment,
    VmNetworkAttachmentPayload,
    VmNetworkConnection,
    VmNetworkPayload,
    VmPayload,
    VmStatus,
    VmTemplate,
)
from icgpu.services.pagination import PageRequest
from icgpu.services.vm_networks import FirewallRuleCreate, NetworkCreate, SubnetCreate, VmNetworkAttach
from icgpu.services.vms import VmCreate, VmUpdate

READ = [requires("vms", "read")]
WRITE = [requires("vms", "write")]


@strawberry.type
class VmQueries:
    @strawberry.field(description="The VM template catalogue (no authentication needed).")
    def vm_templates(self, info: Info) -> list[VmTemplate]:
        return [VmTemplate.from_template(t) for t in info.context.platform.vm_templates.list()]

    @strawberry.field(description="One VM template (no authentication needed).")
    def vm_template(self, info: Info, id: strawberry.ID) -> VmTemplate:
        return VmTemplate.from_template(info.context.platform.vm_templates.get(str(id)))

    @strawberry.field(permission_classes=READ, description="Your VMs and those shared with your teams, oldest "
                      "first; terminated ones only when asked for by status.")
    async def vms(self, info: Info, max_results: int | None = None, next_token: str | None = None,
                  status: VmStatus | None = None) -> VmConnection:  # type: ignore[valid-type]
        ctx = info.context
        page = await ctx.platform.vms.list(await ctx.principal(), PageRequest(max_results, next_token),
                                           status=status.value if status is not None else None)
        return VmConnection(items=[Vm.from_row(r) for r in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def vm(self, info: Info, id: strawberry.ID) -> Vm:
        ctx = info.context
        return Vm.from_row(await ctx.platform.vms.get(await ctx.principal(), str(id)))

    @strawberry.field(permission_classes=READ, description="The networks a VM is attached to (one page: at most 16).")
    async def vm_network_attachments(self, info: Info, vm_id: strawberry.ID) -> list[VmNetworkAttachment]:
        ctx = info.context
        rows = await ctx.platform.vm_networks.vm_networks(await ctx.principal(), str(vm_id))
        return [VmNetworkAttachment.from_rows(*r) for r in rows]

    @strawberry.field(permission_classes=READ, description="Your VM networks and those shared with your teams.")
    async def vm_networks(self, info: Info, max_results: int | None = None,
                          next_token: str | None = None) -> VmNetworkConnection:
        ctx = info.context
        page = await ctx.platform.vm_networks.list(await ctx.principal(), PageRequest(max_results, next_token))
        return VmNetworkConnection(items=[VmNetwork.from_row(r) for r in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ)
    async def vm_network(self, info: Info, id: strawberry.ID) -> VmNetwork:
        ctx = info.context
        return VmNetwork.from_row(await ctx.platform.vm_networks.get(await ctx.principal(), str(id)))

    @strawberry.field(permission_classes=READ, description="A network's subnets.")
    async def subnets(self, info: Info, network_id: strawberry.ID, max_results: int | None = None,
                      next_token: str | None = None) -> SubnetConnection:
        ctx = info.context
        page = await ctx.platform.vm_networks.list_subnets(await ctx.principal(), str(network_id),
                                                           PageRequest(max_results, next_token))
        return SubnetConnection(items=[Subnet.from_row(r) for r in page.items], next_token=page.next_token)

    @strawberry.field(permission_classes=READ, description="A network's firewall rules.")
    async def firewall_rules(self, info: Info, network_id: strawberry.ID, max_results: int | None = None,
                             next_token: str | None = None) -> FirewallRuleConnection:
        ctx = info.context
        page = await ctx.platform.vm_networks.list_rules(await ctx.principal(), str(network_id),
                                                         PageRequest(max_results, next_token))
        return FirewallRuleConnection(items=[FirewallRule.from_row(r) for r in page.items],
                                      next_token=page.next_token)


def _vm(row: Any, dry_run: bool) -> VmPayload:
    return VmPayload(dry_run=dry_run, valid=True, vm=Vm.from_row(row))


def _attachment(rows: Any, dry_run: bool) -> VmNetworkAttachmentPayload:
    return VmNetworkAttachmentPayload(dry_run=dry_run, valid=True, vm_network=VmNetworkAttachment.from_rows(*rows))


@strawberry.type
class VmMutations:
    @strawberry.mutation(permission_classes=WRITE, description="Create a VM from a template.")
    async def create_vm(self, info: Info, input: CreateVmInput, dry_run: DryRun = False) -> VmPayload:
        ctx = info.context
        data = parse_input(VmCreate, {
            "name": input.name, "template_id": input.template_id, "cpu": input.cpu, "memory_gb": input.memory_gb,
            "disk_gb": input.disk_gb, "ssh_key": input.ssh_key, "ssh_key_group": input.ssh_key_group,
            "gpu_tier": input.gpu_tier, "team_id": input.team_id,
            "auto_stop_after_minutes": input.auto_stop_after_minutes,
        })
        return _vm(await ctx.platform.vms.create(await ctx.principal(), data, dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Rename a VM or change its auto-stop time.")
    async def update_vm(self, info: Info, id: strawberry.ID, input: UpdateVmInput,
                        dry_run: DryRun = False) -> VmPayload:
        ctx = info.context
        fields: dict[str, Any] = {"name": input.name}
        if input.auto_stop_after_minutes is not strawberry.UNSET:
            fields["auto_stop_after_minutes"] = input.auto_stop_after_minutes
        data = parse_input(VmUpdate, fields)
        return _vm(await ctx.platform.vms.update(await ctx.principal(), str(id), data, dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Start a stopped (or failed) VM.")
    async def start_vm(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> VmPayload:
        ctx = info.context
        return _vm(await ctx.platform.vms.start(await ctx.principal(), str(id), dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Stop a VM; its disk is kept.")
    async def stop_vm(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> VmPayload:
        ctx = info.context
        return _vm(await ctx.platform.vms.stop(await ctx.principal(), str(id), dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Reboot a running VM.")
    async def reboot_vm(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> VmPayload:
        ctx = info.context
        return _vm(await ctx.platform.vms.reboot(await ctx.principal(), str(id), dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Terminate a VM and release its boot disk.")
    async def delete_vm(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> VmPayload:
        ctx = info.context
        return _vm(await ctx.platform.vms.delete(await ctx.principal(), str(id), dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Attach a VM to your network of this name.")
    async def attach_vm_network(self, info: Info, vm_id: strawberry.ID, input: AttachVmNetworkInput,
                                dry_run: DryRun = False) -> VmNetworkAttachmentPayload:
        ctx = info.context
        data = parse_input(VmNetworkAttach, {"name": input.name, "cidr": input.cidr})
        return _attachment(await ctx.platform.vm_networks.attach(await ctx.principal(), str(vm_id), data,
                                                                 dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Detach a VM from a network.")
    async def detach_vm_network(self, info: Info, vm_id: strawberry.ID, network_id: strawberry.ID,
                                dry_run: DryRun = False) -> VmNetworkAttachmentPayload:
        ctx = info.context
        return _attachment(await ctx.platform.vm_networks.detach(await ctx.principal(), str(vm_id), str(network_id),
                                                                 dry_run=dry_run), dry_run)

    @strawberry.mutation(permission_classes=WRITE, description="Create a private network.")
    async def create_vm_network(self, info: Info, input: CreateVmNetworkInput,
                                dry_run: DryRun = False) -> VmNetworkPayload:
        ctx = info.context
        data = parse_input(NetworkCreate, {"name": input.name, "description": input.description,
                                           "team_id": input.team_id})
        row = await ctx.platform.vm_networks.create(await ctx.principal(), data, dry_run=dry_run)
        return VmNetworkPayload(dry_run=dry_run, valid=True, vm_network=VmNetwork.from_row(row))

    @strawberry.mutation(permission_classes=WRITE, description="Delete a network (no VM may be attached).")
    async def delete_vm_network(self, info: Info, id: strawberry.ID, dry_run: DryRun = False) -> VmNetworkPayload:
        ctx = info.context
        row = await ctx.platform.vm_networks.delete(await ctx.principal(), str(id), dry_run=dry_run)
        return VmNetworkPayload(dry_run=dry_run, valid=True, vm_network=VmNetwork.from_row(row))

    @strawberry.mutation(permission_classes=WRITE, description="Add a subnet to a network.")
    async def create_subnet(self, info: Info, network_id: strawberry.ID, input: CreateSubnetInput,
                            dry_run: DryRun = False) -> SubnetPayload:
        ctx = info.context
        data = parse_input(SubnetCreate, {"name": input.name, "cidr": input.cidr})
        row = await ctx.platform.vm_networks.create_subnet(await ctx.principal(), str(network_id), data,
                                                           dry_run=dry_run)
        return SubnetPayload(dry_run=dry_run, valid=True, subnet=Subnet.from_row(row))

    @strawberry.mutation(permission_classes=WRITE, description="Delete a subnet (no VM may be on it).")
    async def delete_subnet(self, info: Info, network_id: strawberry.ID, id: strawberry.ID,
                            dry_run: DryRun = False) -> SubnetPayload:
        ctx = info.context
        row = await ctx.platform.vm_networks.delete_subnet(await ctx.principal(), str(network_id), str(id),
                                                           dry_run=dry_run)
        return SubnetPayload(dry_run=dry_run, valid=True, subnet=Subnet.from_row(row))

    @strawberry.mutation(permission_classes=WRITE, description="Add a firewall rule to a network.")
    async def create_firewall_rule(self, info: Info, network_id: strawberry.ID, input: CreateFirewallRuleInput,
                                   dry_run: DryRun = False) -> FirewallRulePayload:
        ctx = info.context
        data = parse_input(FirewallRuleCreate, {
            "direction": input.direction, "protocol": input.protocol, "port_range": input.port_range,
            "source": input.source, "action": input.action, "description": input.description})
        row = await ctx.platform.vm_networks.create_rule(await ctx.principal(), str(network_id), data,
                                                         dry_run=dry_run)
        return FirewallRulePayload(dry_run=dry_run, valid=True, firewall_rule=FirewallRule.from_row(row))

    @strawberry.mutation(permission_classes=WRITE, description="Delete a firewall rule.")
    async def delete_firewall_rule(self, info: Info, network_id: strawberry.ID, id: strawberry.ID,
                                   dry_run: DryRun = False) -> FirewallRulePayload:
        ctx = info.context
        row = await ctx.platform.vm_networks.delete_rule(await ctx.principal(), str(network_id), str(id),
                                                         dry_run=dry_run)
        return FirewallRulePayload(dry_run=dry_run, valid=True, firewall_rule=FirewallRule.from_row(row))
