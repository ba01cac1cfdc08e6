"""A VM network and its firewall rules as one NetworkPolicy (networking.k8s.io/v1).

A pure renderer from the ``vm_networks`` and ``vm_firewall_rules`` rows (not a workload kind: nothing
here holds a GPU); the provisioner applies what it returns in the tenant's namespace. The policy
selects the pods of the network's VMs by the label ``net.icgpu.dev/<network id>`` (which a VM attached
to the network carries on its template) and, as the policy selects them for both directions, denies
by default what no rule allows:

- members of the network reach each other, both ways (a private network);
- an ``allow`` rule becomes an ingress peer (``from``: its ``source`` CIDR) or an egress peer
  (``to``: the CIDR) with its protocol and port range (``8000-8100`` is ``port`` + ``endPort``);
  protocol ``all`` is every port of every protocol;
- a ``deny`` rule is the default already, except inside a broader ``allow`` of the same direction:
  a deny whose CIDR lies strictly inside the allow's and whose protocol and ports cover the allow's is
  carved out of it (``ipBlock.except``); one that covers the allow's CIDR as well removes the allow
  (deny wins, as on the firewalls the API describes).

NetworkPolicy cannot say everything a rule can: an ``icmp`` allow (it selects TCP, UDP and SCTP only),
or a deny that covers part of an allow's ports, is not enforced, and is reported in ``unenforced``
with the reason; the traffic it concerns is then denied (allow) or allowed (deny) by the rest.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field

from icgpu.db.tables_vms import FirewallRule, VmNetwork
from icgpu.provisioning.kubernetes.kinds import Manifest, ObjectType

NETWORK_POLICY = ObjectType("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy")
MEMBER_LABEL_PREFIX = "net.icgpu.dev/"
MEMBER = "attached"
NETWORK_LABEL = "icgpu.dev/vm-network"  # on the policy: the network it is for
PROTOCOLS = {"tcp": "TCP", "udp": "UDP"}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def member_label(network_id: str) -> str:
    """The label key a VM attached to the network carries (value ``attached``)."""
    return MEMBER_LABEL_PREFIX + network_id


def policy_name(network_id: str) -> str:
    return f"vm-network-{network_id.lower()}"


@dataclass(frozen=True)
class RenderedPolicy:
    manifest: Manifest
    unenforced: list[tuple[str, str]] = field(default_factory=list)  # (rule id, why)


def _ports(rule: FirewallRule) -> tuple[int, int] | None:
    """The rule's port range as (first, last); None: every port."""
    if rule.port_range is None:
        return None
    first, _, last = rule.port_range.partition("-")
    return int(first), int(last or first)


def _covers(deny: FirewallRule, allow: FirewallRule) -> bool | None:
    """Does the deny's traffic include all of the allow's (True), none of it (False), or part (None)?"""
    if deny.protocol != "all" and deny.protocol != allow.protocol:
        return False if allow.protocol != "all" else None
    deny_ports, allow_ports = _ports(deny), _ports(allow)
    if deny_ports is None:
        return True
    if allow_ports is None:
        return None
    if deny_ports[0] <= allow_ports[0] and allow_ports[1] <= deny_ports[1]:
        return True
    if deny_ports[1] < allow_ports[0] or allow_ports[1] < deny_ports[0]:
        return False
    return None


def _peer(allow: FirewallRule, denies: Sequence[FirewallRule],
          unenforced: list[tuple[str, str]]) -> Manifest | None:
    """The allow rule's ipBlock with what the deny rules carve out of it; None: a deny removes it."""
    cidr: Network = ipaddress.ip_network(allow.source)
    carved: list[str] = []
    for deny in denies:
        other: Network = ipaddress.ip_network(deny.source)
        if other.version != cidr.version or not cidr.overlaps(other):
            continue
        covers = _covers(deny, allow)
        if covers is False:
            continue
        if covers is None:
            unenforced.append((deny.id, f"it denies part of the ports or protocols allowed by rule {allow.id}"))
        elif cidr.subnet_of(other):  # type: ignore[arg-type]  # same version, checked above
            return None
        else:
            carved.append(str(other))
    block: Manifest = {"cidr": str(cidr)}
    if carved:
        block["except"] = sorted(carved)
    return {"ipBlock": block}


def _ports_entry(rule: FirewallRule) -> list[Manifest] | None:
    ports = _ports(rule)
    if rule.protocol == "all":
        return None
    entry: Manifest = {"protocol": PROTOCOLS[rule.protocol]}
    if ports is not None:
        entry["port"] = ports[0]
        if ports[1] != ports[0]:
            entry["endPort"] = ports[1]
    return [entry]


def network_policy(network: VmNetwork, rules: Sequence[FirewallRule], namespace: str,
                   labels: dict[str, str]) -> RenderedPolicy:
    """The network's policy (with `labels` on it), and the rules it could not express."""
    members = {"podSelector": {"matchLabels": {member_label(network.id): MEMBER}}}
    unenforced: list[tuple[str, str]] = []
    sections: dict[str, list[Manifest]] = {"ingress": [{"from": [members]}], "egress": [{"to": [members]}]}
    for direction, peer_key in (("ingress", "from"), ("egress", "to")):
        denies = [r for r in rules if r.direction == direction and r.action == "deny"]
        for allow in (r for r in rules if r.direction == direction and r.action == "allow"):
            if allow.protocol == "icmp":
                unenforced.append((allow.id, "NetworkPolicy selects TCP, UDP and SCTP only: ICMP stays denied"))
                continue
            peer = _peer(allow, denies, unenforced)
            if peer is None:
                continue
            entry: Manifest = {peer_key: [peer]}
            ports = _ports_entry(allow)
            if ports is not None:
                entry["ports"] = ports
            sections[direction].append(entry)
    manifest: Manifest = {
        "apiVersion": NETWORK_POLICY.api_version,
        "kind": NETWORK_POLICY.kind,
        "metadata": {"name": policy_name(network.id), "namespace": namespace,
                     "labels": {**labels, NETWORK_LABEL: network.id}},
        "spec": {
            "podSelector": members["podSelector"],
            "policyTypes": ["Ingress", "Egress"],
            **sections,
        },
    }
    return RenderedPolicy(manifest, unenforced)
