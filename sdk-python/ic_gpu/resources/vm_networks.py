"""client.vm_networks: private networks (create, list, get, delete), their subnets and firewall rules."""

from __future__ import annotations

from typing import Any

from .._pagination import AsyncPage, Page, SyncPage
from ..generated import aio as a
from ..generated import sync as g
from ._base import AsyncResource, SyncResource
from ._common import given


def rule_input(direction: str, protocol: str, source: str, action: str, port_range: str | None,
               description: str | None) -> dict[str, Any]:
    return given(direction=direction, protocol=protocol, source=source, action=action, port_range=port_range,
                 description=description)


class VmNetworks(SyncResource):
    def create(self, *, name: str, description: str | None = None, team_id: str | None = None,
               dry_run: bool = False) -> g.CreateVmNetworkCreateVmNetwork:
        spec = g.CreateVmNetworkInput(**given(name=name, description=description, team_id=team_id))
        return self._gen.create_vm_network(spec, dry_run=dry_run).create_vm_network

    def list(self, *, max_results: int | None = None) -> SyncPage[g.VmNetworkFields]:
        """Your networks and your teams', every page."""
        def fetch(token: str | None) -> Page[g.VmNetworkFields]:
            res = self._gen.list_vm_networks(max_results=max_results, next_token=token).vm_networks
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def get(self, id: str) -> g.VmNetworkFields:
        return self._gen.get_vm_network(id).vm_network

    def delete(self, id: str, *, dry_run: bool = False) -> g.DeleteVmNetworkDeleteVmNetwork:
        """Delete the network with its subnets and rules (ConflictError NetworkInUse while VMs are attached)."""
        return self._gen.delete_vm_network(id, dry_run=dry_run).delete_vm_network

    def create_subnet(self, network_id: str, *, name: str, cidr: str,
                      dry_run: bool = False) -> g.CreateSubnetCreateSubnet:
        """``cidr``: a private range without host bits, /30 or larger, overlapping no other subnet."""
        spec = g.CreateSubnetInput(name=name, cidr=cidr)
        return self._gen.create_subnet(network_id, spec, dry_run=dry_run).create_subnet

    def subnets(self, network_id: str, *, max_results: int | None = None) -> SyncPage[g.SubnetFields]:
        def fetch(token: str | None) -> Page[g.SubnetFields]:
            res = self._gen.list_subnets(network_id, max_results=max_results, next_token=token).subnets
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def delete_subnet(self, network_id: str, id: str, *, dry_run: bool = False) -> g.DeleteSubnetDeleteSubnet:
        return self._gen.delete_subnet(network_id, id, dry_run=dry_run).delete_subnet

    def create_firewall_rule(self, network_id: str, *, direction: str, protocol: str, source: str, action: str,
                             port_range: str | None = None, description: str | None = None,
                             dry_run: bool = False) -> g.CreateFirewallRuleCreateFirewallRule:
        """``direction`` ingress|egress, ``protocol`` tcp|udp|icmp|all, ``port_range`` "22" or "8000-8100"
        (tcp and udp only), ``source`` a CIDR, ``action`` allow|deny."""
        spec = g.CreateFirewallRuleInput(**rule_input(direction, protocol, source, action, port_range, description))
        return self._gen.create_firewall_rule(network_id, spec, dry_run=dry_run).create_firewall_rule

    def firewall_rules(self, network_id: str, *,
                       max_results: int | None = None) -> SyncPage[g.FirewallRuleFields]:
        def fetch(token: str | None) -> Page[g.FirewallRuleFields]:
            res = self._gen.list_firewall_rules(network_id, max_results=max_results, next_token=token).firewall_rules
            return Page(list(res.items), res.next_token)

        return SyncPage(fetch, fetch(None))

    def delete_firewall_rule(self, network_id: str, id: str, *,
                             dry_run: bool = False) -> g.DeleteFirewallRuleDeleteFirewallRule:
        return self._gen.delete_firewall_rule(network_id, id, dry_run=dry_run).delete_firewall_rule


class AsyncVmNetworks(AsyncResource):
    async def create(self, *, name: str, description: str | None = None, team_id: str | None = None,
                     dry_run: bool = False) -> a.CreateVmNetworkCreateVmNetwork:
        spec = a.CreateVmNetworkInput(**given(name=name, description=description, team_id=team_id))
        return (await self._gen.create_vm_network(spec, dry_run=dry_run)).create_vm_network

    def list(self, *, max_results: int | None = None) -> AsyncPage[a.VmNetworkFields]:
        async def fetch(token: str | None) -> Page[a.VmNetworkFields]:
            res = (await self._gen.list_vm_networks(max_results=max_results, next_token=token)).vm_networks
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def get(self, id: str) -> a.VmNetworkFields:
        return (await self._gen.get_vm_network(id)).vm_network

    async def delete(self, id: str, *, dry_run: bool = False) -> a.DeleteVmNetworkDeleteVmNetwork:
        return (await self._gen.delete_vm_network(id, dry_run=dry_run)).delete_vm_network

    async def create_subnet(self, network_id: str, *, name: str, cidr: str,
                            dry_run: bool = False) -> a.CreateSubnetCreateSubnet:
        spec = a.CreateSubnetInput(name=name, cidr=cidr)
        return (await self._gen.create_subnet(network_id, spec, dry_run=dry_run)).create_subnet

    def subnets(self, network_id: str, *, max_results: int | None = None) -> AsyncPage[a.SubnetFields]:
        async def fetch(token: str | None) -> Page[a.SubnetFields]:
            res = (await self._gen.list_subnets(network_id, max_results=max_results, next_token=token)).subnets
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def delete_subnet(self, network_id: str, id: str, *,
                            dry_run: bool = False) -> a.DeleteSubnetDeleteSubnet:
        return (await self._gen.delete_subnet(network_id, id, dry_run=dry_run)).delete_subnet

    async def create_firewall_rule(self, network_id: str, *, direction: str, protocol: str, source: str,
                                   action: str, port_range: str | None = None, description: str | None = None,
                                   dry_run: bool = False) -> a.CreateFirewallRuleCreateFirewallRule:
        spec = a.CreateFirewallRuleInput(**rule_input(direction, protocol, source, action, port_range, description))
        return (await self._gen.create_firewall_rule(network_id, spec, dry_run=dry_run)).create_firewall_rule

    def firewall_rules(self, network_id: str, *,
                       max_results: int | None = None) -> AsyncPage[a.FirewallRuleFields]:
        async def fetch(token: str | None) -> Page[a.FirewallRuleFields]:
            res = (await self._gen.list_firewall_rules(network_id, max_results=max_results,
                                                       next_token=token)).firewall_rules
            return Page(list(res.items), res.next_token)

        return AsyncPage(fetch)

    async def delete_firewall_rule(self, network_id: str, id: str, *,
                                   dry_run: bool = False) -> a.DeleteFirewallRuleDeleteFirewallRule:
        return (await self._gen.delete_firewall_rule(network_id, id, dry_run=dry_run)).delete_firewall_rule
