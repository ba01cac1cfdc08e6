"""VM networks over REST and GraphQL: the documented curl flow, attaching VMs by network name,
subnet and firewall-rule validation (status, error type, nothing written), sharing and isolation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from icgpu.db.tables_vms import FirewallRule, Subnet, VmNetwork, VmNetworkAttachment
from tests.support.contracts import SSH, Caller, assert_error, caller, count_rows, member
from tests.support.graphql import gql_data, gql_error
from tests.support.server import Server
from tests.support.vms import NETWORKS, VMS, new_network, new_vm, vm_act, wait_vm


@pytest.fixture
def me(server: Server) -> Caller:
    return caller(server, "nets-" + uuid.uuid4().hex[:8])


def test_documented_flow(server: Server, me: Caller) -> None:
    r = me.api.post(NETWORKS, json={"name": "training-net", "description": "Isolated training network"})
    assert r.status_code == 201, r.text
    net = r.json()
    assert net["id"].startswith("net-") and net["description"] == "Isolated training network"
    assert r.headers["location"] == f"{NETWORKS}/{net['id']}"
    r = me.api.post(f"{NETWORKS}/{net['id']}/subnets", json={"name": "workers", "cidr": "10.100.0.0/24"})
    assert r.status_code == 201, r.text
    subnet = r.json()
    assert subnet["id"].startswith("subnet-") and subnet["cidr"] == "10.100.0.0/24"
    r = me.api.post(f"{NETWORKS}/{net['id']}/firewall-rules", json={
        "direction": "ingress", "protocol": "tcp", "port_range": "22", "source": "0.0.0.0/0", "action": "allow"})
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["id"].startswith("fw-") and rule["port_range"] == "22" and rule["network_id"] == net["id"]
    assert [n["id"] for n in me.api.get(NETWORKS).json()["vm_networks"]] == [net["id"]]
    assert me.api.get(f"{NETWORKS}/{net['id']}").json() == net
    assert [s["id"] for s in me.api.get(f"{NETWORKS}/{net['id']}/subnets").json()["subnets"]] == [subnet["id"]]
    rules = me.api.get(f"{NETWORKS}/{net['id']}/firewall-rules").json()
    assert [x["id"] for x in rules["firewall_rules"]] == [rule["id"]] and rules["nextToken"] is None

    # The VM-side route of the docs: attach by name (an existing network) with its subnet's CIDR.
    vm = new_vm(me.api, "ml-workstation", "tpl-ubuntu-cpu")
    r = me.api.post(f"{VMS}/{vm['id']}/networks", json={"name": "training-net", "cidr": "10.100.0.0/24"})
    assert r.status_code == 201, r.text
    att = r.json()
    assert (att["vm_id"], att["network_id"], att["subnet_id"], att["ip_address"]) == \
        (vm["id"], net["id"], subnet["id"], "10.100.0.2")
    listed = me.api.get(f"{VMS}/{vm['id']}/networks").json()
    assert listed == {"vm_networks": [att], "nextToken": None}
    assert_error(me.api.post(f"{VMS}/{vm['id']}/networks", json={"name": "training-net"}), 409,
                 "ConflictException", code="AlreadyAttached")
    # In use: the network and its subnet cannot go.
    assert_error(me.api.delete(f"{NETWORKS}/{net['id']}"), 409, "ConflictException", code="NetworkInUse")
    assert_error(me.api.delete(f"{NETWORKS}/{net['id']}/subnets/{subnet['id']}"), 409, "ConflictException",
                 code="SubnetInUse")
    assert count_rows(server, VmNetwork, id=net["id"]) == 1 and count_rows(server, Subnet, id=subnet["id"]) == 1
    r = me.api.delete(f"{VMS}/{vm['id']}/networks/{net['id']}")
    assert r.status_code == 200 and r.json() == att, r.text
    assert me.api.get(f"{VMS}/{vm['id']}/networks").json()["vm_networks"] == []
    assert_error(me.api.delete(f"{VMS}/{vm['id']}/networks/{net['id']}"), 404, "ResourceNotFoundException")
    assert me.api.delete(f"{NETWORKS}/{net['id']}/firewall-rules/{rule['id']}").status_code == 200
    assert me.api.delete(f"{NETWORKS}/{net['id']}/subnets/{subnet['id']}").status_code == 200
    r = me.api.delete(f"{NETWORKS}/{net['id']}")
    assert r.status_code == 200 and r.json()["id"] == net["id"]
    assert_error(me.api.get(f"{NETWORKS}/{net['id']}"), 404, "ResourceNotFoundException")
    assert vm_act(me.api, vm["id"], "delete").status_code == 200


def test_attach_creates_the_network_and_a_deleted_vm_leaves_it(server: Server, me: Caller) -> None:
    a = new_vm(me.api, "node-a", "tpl-ubuntu-cpu")
    b = new_vm(me.api, "node-b", "tpl-ubuntu-cpu")
    r = me.api.post(f"{VMS}/{a['id']}/networks", json={"name": "fresh-net", "cidr": "192.168.10.0/24"})
    assert r.status_code == 201, r.text
    first = r.json()
    nets = me.api.get(NETWORKS).json()["vm_networks"]
    assert [n["name"] for n in nets] == ["fresh-net"] and nets[0]["id"] == first["network_id"]
    # The second VM joins by name alone and gets the next address.
    r = me.api.post(f"{VMS}/{b['id']}/networks", json={"name": "fresh-net"})
    assert r.status_code == 201 and r.json()["ip_address"] == "192.168.10.3", r.text
    # A new name needs a CIDR; an overlapping new subnet is a 409; neither writes anything.
    assert_error(me.api.post(f"{VMS}/{a['id']}/networks", json={"name": "other-net"}), 400,
                 "ValidationException", field="cidr")
    assert_error(me.api.post(f"{VMS}/{a['id']}/networks", json={"name": "other-net", "cidr": "8.8.8.0/24"}), 400,
                 "ValidationException", field="cidr")
    assert count_rows(server, VmNetwork, name="other-net") == 0
    assert vm_act(me.api, a["id"], "delete").status_code == 200
    assert count_rows(server, VmNetworkAttachment, vm_id=a["id"]) == 0
    assert vm_act(me.api, b["id"], "delete").status_code == 200
    assert me.api.delete(f"{NETWORKS}/{first['network_id']}").status_code == 200


SUBNET_BAD = [
    ({"name": "s", "cidr": "8.8.8.0/24"}, "cidr"),  # public
    ({"name": "s", "cidr": "100.64.0.0/24"}, "cidr"),  # shared address space, not RFC 1918
    ({"name": "s", "cidr": "2001:db8::/64"}, "cidr"),  # public IPv6
    ({"name": "s", "cidr": "10.0.0.1/24"}, "cidr"),  # host bits set
    ({"name": "s", "cidr": "10.0.0.0/33"}, "cidr"),
    ({"name": "s", "cidr": "not-a-cidr"}, "cidr"),
    ({"name": "s", "cidr": "10.0.0.0/31"}, "cidr"),  # too small
    ({"name": "Bad Name", "cidr": "10.9.0.0/24"}, "name"),
    ({"cidr": "10.9.0.0/24"}, "name"),
    ({"name": "s", "cidr": "10.9.0.0/24", "extra": 1}, "extra"),
]


def test_bad_subnets_are_refused_and_write_nothing(server: Server, me: Caller) -> None:
    net = new_network(me.api, "subnet-checks")
    base = f"{NETWORKS}/{net['id']}/subnets"
    for body, field in SUBNET_BAD:
        assert_error(me.api.post(base, json=body), 400, "ValidationException", field=field)
    assert count_rows(server, Subnet, network_id=net["id"]) == 0
    assert me.api.post(base, json={"name": "a", "cidr": "10.1.0.0/16"}).status_code == 201
    assert me.api.post(base, json={"name": "v6", "cidr": "fd00:1::/64"}).status_code == 201
    for cidr in ("10.1.2.0/24", "10.0.0.0/8", "10.1.0.0/16"):
        assert_error(me.api.post(base, json={"name": "b", "cidr": cidr}), 409, "ConflictException",
                     code="SubnetOverlap")
    assert_error(me.api.post(base, json={"name": "v6b", "cidr": "fd00:1::/48"}), 409, "ConflictException",
                 code="SubnetOverlap")
    assert_error(me.api.post(base, json={"name": "a", "cidr": "10.2.0.0/16"}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    assert count_rows(server, Subnet, network_id=net["id"]) == 2
    assert me.api.post(base, json={"name": "b", "cidr": "172.16.0.0/24"}).status_code == 201
    dry = me.api.post(base, json={"name": "c", "cidr": "192.168.0.0/24"}, params={"dryRun": "true"})
    assert dry.status_code == 200 and dry.json()["subnet"]["cidr"] == "192.168.0.0/24"
    assert count_rows(server, Subnet, network_id=net["id"]) == 3


RULE_OK = {"direction": "ingress", "protocol": "tcp", "port_range": "8000-8100", "source": "10.0.0.0/8",
           "action": "deny"}
RULE_BAD: list[tuple[dict[str, Any], str]] = [
    ({"direction": "sideways"}, "direction"),
    ({"protocol": "sctp"}, "protocol"),
    ({"action": "maybe"}, "action"),
    ({"port_range": "0"}, "port_range"),
    ({"port_range": "65536"}, "port_range"),
    ({"port_range": "100-90"}, "port_range"),
    ({"port_range": "22-"}, "port_range"),
    ({"port_range": "ssh"}, "port_range"),
    ({"port_range": "1-70000"}, "port_range"),
    ({"port_range": None}, "port_range"),  # tcp needs ports
    ({"protocol": "icmp"}, "port_range"),  # icmp has none
    ({"protocol": "all", "port_range": "22"}, "port_range"),
    ({"source": "anywhere"}, "source"),
    ({"source": "10.0.0.1/8"}, "source"),
    ({"source": None}, "source"),
]


@pytest.mark.parametrize(("fields", "field"), RULE_BAD, ids=[f"{f}-{i}" for i, (_, f) in enumerate(RULE_BAD)])
def test_bad_firewall_rules_are_400_and_write_nothing(server: Server, me: Caller, fields: dict[str, Any],
                                                      field: str) -> None:
    net = new_network(me.api, "fw-" + uuid.uuid4().hex[:6])
    r = me.api.post(f"{NETWORKS}/{net['id']}/firewall-rules", json={**RULE_OK, **fields})
    assert_error(r, 400, "ValidationException", field=field)
    assert count_rows(server, FirewallRule, network_id=net["id"]) == 0


def test_good_firewall_rules(server: Server, me: Caller) -> None:
    net = new_network(me.api, "fw-good")
    base = f"{NETWORKS}/{net['id']}/firewall-rules"
    for fields in ({}, {"protocol": "icmp", "port_range": None}, {"protocol": "all", "port_range": None},
                   {"protocol": "udp", "port_range": "65535", "direction": "egress", "source": "fd00::/8"}):
        body = {k: v for k, v in {**RULE_OK, **fields}.items() if v is not None}
        r = me.api.post(base, json=body)
        assert r.status_code == 201, r.text
        assert r.json()["port_range"] == body.get("port_range")
    assert len(me.api.get(base).json()["firewall_rules"]) == 4


def test_network_names_are_unique_per_owner_and_isolation(server: Server, me: Caller) -> None:
    net = new_network(me.api, "dup-net")
    assert_error(me.api.post(NETWORKS, json={"name": "dup-net"}), 409, "ConflictException",
                 code="ResourceAlreadyExists")
    other = caller(server, "nets-other-" + uuid.uuid4().hex[:8])
    assert other.api.post(NETWORKS, json={"name": "dup-net"}).status_code == 201  # another tenant's name
    for path in (f"{NETWORKS}/{net['id']}", f"{NETWORKS}/{net['id']}/subnets",
                 f"{NETWORKS}/{net['id']}/firewall-rules"):
        assert_error(other.api.get(path), 404, "ResourceNotFoundException")
    assert_error(other.api.delete(f"{NETWORKS}/{net['id']}"), 404, "ResourceNotFoundException")
    assert_error(other.api.post(f"{NETWORKS}/{net['id']}/subnets", json={"name": "x", "cidr": "10.5.0.0/24"}),
                 404, "ResourceNotFoundException")
    assert count_rows(server, VmNetwork, id=net["id"]) == 1 and count_rows(server, Subnet, network_id=net["id"]) == 0


def test_team_shared_network_and_vm(server: Server, me: Caller) -> None:
    team = me.api.post("/api/v1/teams", json={"name": "net-team-" + uuid.uuid4().hex[:6]}).json()
    bob = member(server, me.tenant, f"bob-{uuid.uuid4().hex[:6]}@example.com")
    bob_id = bob.get("/api/v1/me").json()["id"]
    assert me.api.post(f"/api/v1/teams/{team['id']}/members",
                       json={"account_id": bob_id, "role": "member"}).status_code == 201
    net = new_network(me.api, "shared-net", team_id=team["id"])
    vm = new_vm(me.api, "shared-vm", "tpl-ubuntu-cpu", teamId=team["id"])
    assert vm["team_id"] == team["id"]
    assert bob.get(f"{NETWORKS}/{net['id']}").status_code == 200
    assert bob.get(f"{VMS}/{vm['id']}").status_code == 200
    # A member sees but does not manage: 403.
    assert_error(bob.delete(f"{NETWORKS}/{net['id']}"), 403, "AccessDeniedException")
    assert_error(vm_act(bob, vm["id"], "stop"), 403, "AccessDeniedException")
    assert_error(bob.post(f"{VMS}/{vm['id']}/networks", json={"name": "shared-net", "cidr": "10.7.0.0/24"}), 403,
                 "AccessDeniedException")
    assert vm_act(me.api, vm["id"], "delete").status_code == 200


def test_graphql_flow(server: Server, me: Caller) -> None:
    templates = gql_data(server.client(), "{ vmTemplates { id gpu gpuTier maxCpu } }")["vmTemplates"]
    assert "tpl-ubuntu-gpu" in {t["id"] for t in templates}
    vm = gql_data(me.api, """mutation($input: CreateVmInput!) { createVm(input: $input) {
        dryRun valid vm { id name templateId cpu memoryGb diskGb gpuTier status autoStopAfterMinutes } } }""",
                  {"input": {"name": "gql-vm", "templateId": "tpl-ubuntu-gpu", "cpu": 4, "memoryGb": 16,
                             "diskGb": 60, "sshKey": SSH, "autoStopAfterMinutes": 90}})["createVm"]
    assert vm["dryRun"] is False and vm["valid"] is True
    v = vm["vm"]
    assert (v["cpu"], v["memoryGb"], v["diskGb"], v["gpuTier"], v["autoStopAfterMinutes"]) == (4, 16, 60,
                                                                                                "dedicated", 90)
    err = gql_error(me.api, """mutation($input: CreateVmInput!) { createVm(input: $input) { vm { id } } }""",
                    {"input": {"name": "gql-bad", "templateId": "tpl-ubuntu-gpu", "memoryGb": 999,
                               "sshKey": SSH}})
    assert err["extensions"]["code"] == "ValidationException" and err["extensions"]["field"] == "memoryGb"
    wait_vm(me.api, v["id"], "running")
    got = gql_data(me.api, "query($id: ID!) { vm(id: $id) { status sshHost autoStopAt } }", {"id": v["id"]})["vm"]
    assert got["status"] == "RUNNING" and got["sshHost"] and got["autoStopAt"]
    for verb, status in (("rebootVm", "REBOOTING"), ("stopVm", "STOPPING")):
        out = gql_data(me.api, f"mutation($id: ID!) {{ {verb}(id: $id) {{ vm {{ status }} }} }}", {"id": v["id"]})
        assert out[verb]["vm"]["status"] == status
    err = gql_error(me.api, "mutation($id: ID!) { rebootVm(id: $id) { vm { status } } }", {"id": v["id"]})
    assert err["extensions"]["reason"] == "InvalidStateTransition"
    net = gql_data(me.api, """mutation { createVmNetwork(input: {name: "gql-net"}) { vmNetwork { id name } } }""")
    net_id = net["createVmNetwork"]["vmNetwork"]["id"]
    sub = gql_data(me.api, """mutation($n: ID!) { createSubnet(networkId: $n, input: {name: "a", cidr: "10.3.0.0/24"})
        { subnet { id cidr } } }""", {"n": net_id})["createSubnet"]["subnet"]
    err = gql_error(me.api, """mutation($n: ID!) { createSubnet(networkId: $n, input: {name: "b", cidr: "10.3.0.0/25"})
        { subnet { id } } }""", {"n": net_id})
    assert err["extensions"]["reason"] == "SubnetOverlap"
    err = gql_error(me.api, """mutation($n: ID!) { createFirewallRule(networkId: $n, input: {direction: "ingress",
        protocol: "tcp", portRange: "9-1", source: "0.0.0.0/0", action: "allow"}) { firewallRule { id } } }""",
                    {"n": net_id})
    assert err["extensions"]["field"] == "portRange"
    att = gql_data(me.api, """mutation($vm: ID!) { attachVmNetwork(vmId: $vm, input: {name: "gql-net"})
        { vmNetwork { networkId subnetId ipAddress } } }""", {"vm": v["id"]})["attachVmNetwork"]["vmNetwork"]
    assert att == {"networkId": net_id, "subnetId": sub["id"], "ipAddress": "10.3.0.2"}
    listed = gql_data(me.api, "query($vm: ID!) { vmNetworkAttachments(vmId: $vm) { networkId } }", {"vm": v["id"]})
    assert listed["vmNetworkAttachments"] == [{"networkId": net_id}]
    gql_data(me.api, "mutation($vm: ID!, $n: ID!) { detachVmNetwork(vmId: $vm, networkId: $n) { dryRun } }",
             {"vm": v["id"], "n": net_id})
    deleted = gql_data(me.api, "mutation($id: ID!) { deleteVm(id: $id) { vm { status } } }", {"id": v["id"]})
    assert deleted["deleteVm"]["vm"]["status"] == "TERMINATED"
    gql_data(me.api, "mutation($id: ID!) { deleteVmNetwork(id: $id) { vmNetwork { id } } }", {"id": net_id})
