"""Authorization-matrix rows for VMs and VM networks (tests/server/test_authz_matrix.py walks them over
REST and GraphQL): create private or team-shared; update, start, stop, reboot, delete, attach and detach
a team-shared or private VM; create and delete networks, subnets and firewall rules of a team-shared or
private network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables import Event
from icgpu.db.tables_vms import FirewallRule, Subnet, Vm, VmNetwork, VmNetworkAttachment
from tests.support.contracts import SSH
from tests.support.matrix import Actor, World, invalid
from tests.support.matrix_cases import ANYONE, MANAGE_SHARED, PRIVATE, SHARE, Case, Target, by_id, event_count

VMS = "/api/v1/vms"
NETS = "/api/v1/vm-networks"
SHARED_VARIANTS = (("team-shared", MANAGE_SHARED, True), ("private", PRIVATE, False))
CREATE_VARIANTS_VM = (("private", ANYONE, False), ("shared-with-team", {**SHARE, "foreign": invalid("teamId")}, True))
CREATE_VARIANTS_NET = (("private", ANYONE, False), ("shared-with-team", SHARE, True))


# -- targets ------------------------------------------------------------------------------------------

def _vm(w: World, shared: bool, status: str) -> str:
    """A CPU-only VM of the creator (a plain member of the team), put in ``status``."""
    body: dict[str, Any] = {"name": w.name("vm"), "templateId": "tpl-ubuntu-cpu", "sshKey": SSH}
    if shared:
        body["teamId"] = w.team_id
    r = w.people["creator"].api.post(VMS, json=body)
    assert r.status_code == 201, r.text
    vm_id = str(r.json()["id"])
    assert w.db.execute(update(Vm).where(Vm.id == vm_id).values(status=status)) == 1
    return vm_id


def _net(w: World, shared: bool) -> str:
    body: dict[str, Any] = {"name": w.name("net")}
    if shared:
        body["team_id"] = w.team_id
    r = w.people["creator"].api.post(NETS, json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def vm_in(shared: bool, status: str) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        return {"vm_id": _vm(w, shared, status), "new_name": w.name("renamed"), "net_name": w.name("net"),
                "cidr": "10.20.0.0/24"}

    return build


def vm_attached(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        vm_id = _vm(w, shared, "stopped")
        r = w.people["creator"].api.post(f"{VMS}/{vm_id}/networks", json={"name": w.name("net"),
                                                                           "cidr": "10.30.0.0/24"})
        assert r.status_code == 201, r.text
        return {"vm_id": vm_id, "network_id": r.json()["network_id"]}

    return build


def new_vm_spec(shared: bool) -> Callable[[World, Actor], Target]:
    return lambda w, a: {"name": w.name("vm"), "team_id": w.team_id if shared else None}


def new_net_spec(shared: bool) -> Callable[[World, Actor], Target]:
    return lambda w, a: {"name": w.name("net"), "team_id": w.team_id if shared else None}


def net_of(shared: bool) -> Callable[[World, Actor], Target]:
    return lambda w, a: {"network_id": _net(w, shared), "name": w.name("sub"), "cidr": "10.40.0.0/24"}


def net_with_subnet(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        net_id = _net(w, shared)
        r = w.people["creator"].api.post(f"{NETS}/{net_id}/subnets", json={"name": "s", "cidr": "10.50.0.0/24"})
        assert r.status_code == 201, r.text
        return {"network_id": net_id, "subnet_id": r.json()["id"]}

    return build


def net_with_rule(shared: bool) -> Callable[[World, Actor], Target]:
    def build(w: World, a: Actor) -> Target:
        net_id = _net(w, shared)
        r = w.people["creator"].api.post(f"{NETS}/{net_id}/firewall-rules", json=RULE)
        assert r.status_code == 201, r.text
        return {"network_id": net_id, "rule_id": r.json()["id"]}

    return build


RULE = {"direction": "ingress", "protocol": "tcp", "port_range": "22", "source": "0.0.0.0/0", "action": "allow"}


# -- states -------------------------------------------------------------------------------------------

def vms_named(w: World, t: Target) -> tuple[str | None, ...]:
    return tuple(w.db.scalars(select(Vm.team_id).where(Vm.name == t["name"])))


def nets_named(w: World, t: Target) -> tuple[str | None, ...]:
    return tuple(w.db.scalars(select(VmNetwork.team_id).where(VmNetwork.name == t["name"])))


def vm_name(w: World, t: Target) -> str:
    return str(w.db.scalar(select(Vm.name).where(Vm.id == t["vm_id"])))


def events_of_type(kind: str) -> Callable[[World, Target], int]:
    """How many ``kind`` events the VM has: a state the reconciler does not move on its own."""
    def count(w: World, t: Target) -> int:
        return int(w.db.scalar(select(func.count()).select_from(Event)
                               .where(Event.resource_id == t["vm_id"], Event.type == kind)))

    return count


def vm_status(w: World, t: Target) -> tuple[str, int]:
    async def look(s: AsyncSession) -> tuple[str, int]:
        status = await s.scalar(select(Vm.status).where(Vm.id == t["vm_id"]))
        return str(status), int(await event_count(s, t["vm_id"]))

    return w.db.run(look)


def attachments(w: World, t: Target) -> int:
    return int(w.db.scalar(select(func.count()).select_from(VmNetworkAttachment)
                           .where(VmNetworkAttachment.vm_id == t["vm_id"])))


def counter(model: Any, **keys: str) -> Callable[[World, Target], int]:
    def count(w: World, t: Target) -> int:
        stmt = select(func.count()).select_from(model)
        for column, key in keys.items():
            stmt = stmt.where(getattr(model, column) == t[key])
        return int(w.db.scalar(stmt))

    return count


def plus(n: int) -> Callable[[Any, Target], Any]:
    return lambda before, t: before + n


# -- GraphQL documents and variables ------------------------------------------------------------------

CREATE_VM = "mutation Create($input: CreateVmInput!) { createVm(input: $input) { vm { id teamId } } }"
UPDATE_VM = "mutation Rename($id: ID!, $name: String!) { updateVm(id: $id, input: {name: $name}) { vm { id name } } }"
ATTACH = ("mutation Attach($vm: ID!, $input: AttachVmNetworkInput!) "
          "{ attachVmNetwork(vmId: $vm, input: $input) { vmNetwork { networkId ipAddress } } }")
DETACH = ("mutation Detach($vm: ID!, $net: ID!) "
          "{ detachVmNetwork(vmId: $vm, networkId: $net) { vmNetwork { networkId } } }")
CREATE_NET = ("mutation Create($input: CreateVmNetworkInput!) "
              "{ createVmNetwork(input: $input) { vmNetwork { id teamId } } }")
CREATE_SUBNET = ("mutation Create($net: ID!, $input: CreateSubnetInput!) "
                 "{ createSubnet(networkId: $net, input: $input) { subnet { id } } }")
DELETE_SUBNET = "mutation Delete($net: ID!, $id: ID!) { deleteSubnet(networkId: $net, id: $id) { subnet { id } } }"
CREATE_RULE = ("mutation Create($net: ID!, $input: CreateFirewallRuleInput!) "
               "{ createFirewallRule(networkId: $net, input: $input) { firewallRule { id } } }")
DELETE_RULE = ("mutation Delete($net: ID!, $id: ID!) "
               "{ deleteFirewallRule(networkId: $net, id: $id) { firewallRule { id } } }")


def vm_body(t: Target) -> dict[str, Any]:
    return {"name": t["name"], "templateId": "tpl-ubuntu-cpu", "sshKey": SSH, "teamId": t["team_id"]}


def vm_vars(t: Target) -> dict[str, Any]:
    return {"input": {"name": t["name"], "templateId": "tpl-ubuntu-cpu", "sshKey": SSH, "teamId": t["team_id"]}}


def rule_vars(t: Target) -> dict[str, Any]:
    return {"net": t["network_id"], "input": {**{k: v for k, v in RULE.items() if k != "port_range"},
                                              "portRange": RULE["port_range"]}}


def rows() -> Iterator[Case]:
    for variant, expect, shared in CREATE_VARIANTS_VM:
        yield Case(f"POST {VMS}", "createVm", variant, expect, new_vm_spec(shared), vms_named,
                   lambda before, t: (t["team_id"],), CREATE_VM, vm_vars, vm_body)
    for variant, expect, shared in SHARED_VARIANTS:
        yield Case(f"PATCH {VMS}/{{vm_id}}", "updateVm", variant, expect, vm_in(shared, "stopped"), vm_name,
                   lambda before, t: t["new_name"], UPDATE_VM,
                   lambda t: {"id": t["vm_id"], "name": t["new_name"]}, lambda t: {"name": t["new_name"]})
        for verb, status, event in (("start", "stopped", "vm.pending"), ("stop", "running", "vm.stopping"),
                                    ("reboot", "running", "vm.rebooting")):
            yield Case(f"POST {VMS}/{{vm_id}}/{verb}", f"{verb}Vm", variant, expect, vm_in(shared, status),
                       events_of_type(event), plus(1), by_id(f"{verb}Vm", "vm { id status }"),
                       lambda t: {"id": t["vm_id"]})
        yield Case(f"DELETE {VMS}/{{vm_id}}", "deleteVm", variant, expect, vm_in(shared, "stopped"), vm_status,
                   lambda before, t: ("terminated", before[1] + 1), by_id("deleteVm", "vm { id status }"),
                   lambda t: {"id": t["vm_id"]})
        yield Case(f"POST {VMS}/{{vm_id}}/networks", "attachVmNetwork", variant, expect, vm_in(shared, "stopped"),
                   attachments, plus(1), ATTACH,
                   lambda t: {"vm": t["vm_id"], "input": {"name": t["net_name"], "cidr": t["cidr"]}},
                   lambda t: {"name": t["net_name"], "cidr": t["cidr"]})
        yield Case(f"DELETE {VMS}/{{vm_id}}/networks/{{network_id}}", "detachVmNetwork", variant, expect,
                   vm_attached(shared), attachments, plus(-1), DETACH,
                   lambda t: {"vm": t["vm_id"], "net": t["network_id"]})
    for variant, expect, shared in CREATE_VARIANTS_NET:
        yield Case(f"POST {NETS}", "createVmNetwork", variant, expect, new_net_spec(shared), nets_named,
                   lambda before, t: (t["team_id"],), CREATE_NET,
                   lambda t: {"input": {"name": t["name"], "teamId": t["team_id"]}},
                   lambda t: {"name": t["name"], "team_id": t["team_id"]})
    for variant, expect, shared in SHARED_VARIANTS:
        yield Case(f"DELETE {NETS}/{{network_id}}", "deleteVmNetwork", variant, expect, net_of(shared),
                   counter(VmNetwork, id="network_id"), plus(-1), by_id("deleteVmNetwork", "vmNetwork { id }"),
                   lambda t: {"id": t["network_id"]})
        yield Case(f"POST {NETS}/{{network_id}}/subnets", "createSubnet", variant, expect, net_of(shared),
                   counter(Subnet, network_id="network_id"), plus(1), CREATE_SUBNET,
                   lambda t: {"net": t["network_id"], "input": {"name": t["name"], "cidr": t["cidr"]}},
                   lambda t: {"name": t["name"], "cidr": t["cidr"]})
        yield Case(f"DELETE {NETS}/{{network_id}}/subnets/{{subnet_id}}", "deleteSubnet", variant, expect,
                   net_with_subnet(shared), counter(Subnet, network_id="network_id"), plus(-1), DELETE_SUBNET,
                   lambda t: {"net": t["network_id"], "id": t["subnet_id"]})
        yield Case(f"POST {NETS}/{{network_id}}/firewall-rules", "createFirewallRule", variant, expect,
                   net_of(shared), counter(FirewallRule, network_id="network_id"), plus(1), CREATE_RULE, rule_vars,
                   lambda t: RULE)
        yield Case(f"DELETE {NETS}/{{network_id}}/firewall-rules/{{rule_id}}", "deleteFirewallRule", variant,
                   expect, net_with_rule(shared), counter(FirewallRule, network_id="network_id"), plus(-1),
                   DELETE_RULE, lambda t: {"net": t["network_id"], "id": t["rule_id"]})
