"""/api/v1/vm-networks with their subnets and firewall rules: protocol mapping only, every rule is
in services/vm_networks.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from icgpu.api.rest import vm_schemas as schemas
from icgpu.api.rest.body import read_json
from icgpu.api.rest.deps import CurrentPrincipal, DryRun, PageDep, PlatformDep
from icgpu.api.rest.docs import operation
from icgpu.api.rest.dry_run import created, written
from icgpu.api.rest.reply import ok
from icgpu.api.rest.route import AuthedRoute
from icgpu.db.tables_vms import FirewallRule, Subnet, VmNetwork
from icgpu.services.validation import parse
from icgpu.services.vm_networks import FirewallRuleCreate, NetworkCreate, SubnetCreate

router = APIRouter(prefix="/api/v1/vm-networks", tags=["vm-networks"], route_class=AuthedRoute)


def network_json(net: VmNetwork) -> dict[str, Any]:
    return {"id": net.id, "name": net.name, "description": net.description, "team_id": net.team_id,
            "account_id": net.account_id, "created_at": net.created_at.isoformat(),
            "updated_at": net.updated_at.isoformat()}


def subnet_json(sub: Subnet) -> dict[str, Any]:
    return {"id": sub.id, "network_id": sub.network_id, "name": sub.name, "cidr": sub.cidr,
            "created_at": sub.created_at.isoformat()}


def rule_json(rule: FirewallRule) -> dict[str, Any]:
    return {"id": rule.id, "network_id": rule.network_id, "direction": rule.direction, "protocol": rule.protocol,
            "port_range": rule.port_range, "source": rule.source, "action": rule.action,
            "description": rule.description, "created_at": rule.created_at.isoformat()}


@router.post("", **operation(schemas.VmNetwork, status=201, body=NetworkCreate, dry_run=schemas.DryRunVmNetwork))
async def create_vm_network(request: Request, response: Response, platform: PlatformDep,
                            principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(NetworkCreate, await read_json(request))
    net = await platform.vm_networks.create(principal, data, dry_run=dry_run)
    return created(response, dry_run, "vm_network", network_json(net), f"/api/v1/vm-networks/{net.id}")


@router.get("", **operation(schemas.VmNetworkList))
async def list_vm_networks(platform: PlatformDep, principal: CurrentPrincipal,
                           page: PageDep) -> Response | dict[str, Any]:
    result = await platform.vm_networks.list(principal, page)
    return ok(platform, {"vm_networks": [network_json(n) for n in result.items], "nextToken": result.next_token})


@router.get("/{network_id}", **operation(schemas.VmNetwork))
async def get_vm_network(network_id: str, platform: PlatformDep,
                         principal: CurrentPrincipal) -> Response | dict[str, Any]:
    return ok(platform, network_json(await platform.vm_networks.get(principal, network_id)))


@router.delete("/{network_id}", **operation(schemas.VmNetwork, dry_run=schemas.DryRunVmNetwork))
async def delete_vm_network(network_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                            dry_run: DryRun) -> dict[str, Any]:
    net = await platform.vm_networks.delete(principal, network_id, dry_run=dry_run)
    return written(dry_run, "vm_network", network_json(net))


@router.post("/{network_id}/subnets", **operation(schemas.Subnet, status=201, body=SubnetCreate,
                                                  dry_run=schemas.DryRunSubnet))
async def create_subnet(network_id: str, request: Request, response: Response, platform: PlatformDep,
                        principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(SubnetCreate, await read_json(request))
    sub = await platform.vm_networks.create_subnet(principal, network_id, data, dry_run=dry_run)
    return created(response, dry_run, "subnet", subnet_json(sub))


@router.get("/{network_id}/subnets", **operation(schemas.SubnetList))
async def list_subnets(network_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                       page: PageDep) -> Response | dict[str, Any]:
    result = await platform.vm_networks.list_subnets(principal, network_id, page)
    return ok(platform, {"subnets": [subnet_json(s) for s in result.items], "nextToken": result.next_token})


@router.delete("/{network_id}/subnets/{subnet_id}", **operation(schemas.Subnet, dry_run=schemas.DryRunSubnet))
async def delete_subnet(network_id: str, subnet_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                        dry_run: DryRun) -> dict[str, Any]:
    sub = await platform.vm_networks.delete_subnet(principal, network_id, subnet_id, dry_run=dry_run)
    return written(dry_run, "subnet", subnet_json(sub))


@router.post("/{network_id}/firewall-rules", **operation(schemas.FirewallRule, status=201, body=FirewallRuleCreate,
                                                         dry_run=schemas.DryRunFirewallRule))
async def create_firewall_rule(network_id: str, request: Request, response: Response, platform: PlatformDep,
                               principal: CurrentPrincipal, dry_run: DryRun) -> dict[str, Any]:
    data = parse(FirewallRuleCreate, await read_json(request))
    rule = await platform.vm_networks.create_rule(principal, network_id, data, dry_run=dry_run)
    return created(response, dry_run, "firewall_rule", rule_json(rule))


@router.get("/{network_id}/firewall-rules", **operation(schemas.FirewallRuleList))
async def list_firewall_rules(network_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                              page: PageDep) -> Response | dict[str, Any]:
    result = await platform.vm_networks.list_rules(principal, network_id, page)
    return ok(platform, {"firewall_rules": [rule_json(r) for r in result.items], "nextToken": result.next_token})


@router.delete("/{network_id}/firewall-rules/{rule_id}", **operation(schemas.FirewallRule,
                                                                     dry_run=schemas.DryRunFirewallRule))
async def delete_firewall_rule(network_id: str, rule_id: str, platform: PlatformDep, principal: CurrentPrincipal,
                               dry_run: DryRun) -> dict[str, Any]:
    rule = await platform.vm_networks.delete_rule(principal, network_id, rule_id, dry_run=dry_run)
    return written(dry_run, "firewall_rule", rule_json(rule))
