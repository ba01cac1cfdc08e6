"""VM networks: private networks with subnets and firewall rules, and VMs attached to them.

* A network belongs to its creator and may be shared with a team (``team_id``), like instances;
  its name is unique among its owner's networks. It cannot be deleted while VMs are attached (409
  ``NetworkInUse``).
* A subnet's CIDR is a private range (RFC 1918 for IPv4, RFC 4193 for IPv6, written without host
  bits) that overlaps no other subnet of the network (409 ``SubnetOverlap``).
* A firewall rule is checked field by field: direction ingress|egress, protocol
  tcp|udp|icmp|all, ``port_range`` "22" or "8000-8100" within 1-65535 (required for tcp/udp, absent
  for icmp/all), ``source`` a CIDR, action allow|deny.
* ``attach`` puts a VM on the caller's network of a name (creating it, with the given subnet, when
  the name is new) and gives it the next free address of the subnet.
"""

from __future__ import annotations

import builtins
import ipaddress
import itertools
import re
from typing import Any, Literal, Self

from pydantic import Field, field_validator, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.auth.principal import Principal
from icgpu.db.base import utcnow
from icgpu.db.database import Database
from icgpu.db.tables_vms import FirewallRule, Subnet, Vm, VmNetwork, VmNetworkAttachment
from icgpu.errors import Conflict, NotFound, ValidationError
from icgpu.events import outbox
from icgpu.ids import new_id, well_formed
from icgpu.services import access
from icgpu.services.pagination import Page, PageCodec, PageRequest
from icgpu.services.signals import Signals
from icgpu.services.validation import NAME_RE, Input, model_error, resource_name
from icgpu.services.vm_states import VmStatus
from icgpu.services.vms import CamelInput, VmService

SCOPE = "vms"
MAX_NETWORKS_PER_VM = 16  # so a VM's networks are always one page
PRIVATE_RANGES = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                                          "fc00::/7"))
PORT_RANGE_RE = re.compile(r"^([0-9]{1,5})(?:-([0-9]{1,5}))?$")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Attached = tuple[VmNetworkAttachment, VmNetwork, Subnet]


def parse_cidr(value: str, field: str) -> Network:
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a CIDR block such as 10.100.0.0/24 ({exc})") from None


def private_cidr(value: str, field: str = "cidr") -> str:
    net = parse_cidr(value, field)
    if not any(net.version == r.version and net.subnet_of(r) for r in PRIVATE_RANGES):  # type: ignore[arg-type]
        raise ValueError(f"{value} is not a private range: use one inside 10.0.0.0/8, 172.16.0.0/12, "
                         "192.168.0.0/16 (RFC 1918) or fc00::/7 (RFC 4193)")
    if net.num_addresses < 4:
        raise ValueError(f"{value} is too small for VMs: use a prefix of /30 or shorter")
    return str(net)


class NetworkCreate(Input):
    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    description: str = Field(default="", max_length=1000)
    team_id: str | None = Field(default=None, max_length=40, description="share with this team")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)


class SubnetCreate(Input):
    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    cidr: str = Field(max_length=64, description="a private range: RFC 1918 (IPv4) or RFC 4193 (IPv6)")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        return private_cidr(v)


class FirewallRuleCreate(Input):
    direction: Literal["ingress", "egress"]
    protocol: Literal["tcp", "udp", "icmp", "all"]
    port_range: str | None = Field(default=None, max_length=11,
                                   description='"22" or "8000-8100" (1-65535); tcp and udp only')
    source: str = Field(max_length=64, description="a CIDR, e.g. 0.0.0.0/0")
    action: Literal["allow", "deny"]
    description: str = Field(default="", max_length=1000)

    @field_validator("port_range")
    @classmethod
    def _ports(cls, v: str | None) -> str | None:
        if v is None:
            return None
        m = PORT_RANGE_RE.match(v)
        if not m:
            raise ValueError(f"'{v}' is not a port or a range of ports such as 22 or 8000-8100")
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) is not None else start
        for port in (start, end):
            if not 1 <= port <= 65535:
                raise ValueError(f"port {port} is outside 1-65535")
        if start > end:
            raise ValueError(f"the range {v} starts after it ends")
        return f"{start}" if start == end else f"{start}-{end}"

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        return str(parse_cidr(v, "source"))

    @model_validator(mode="after")
    def _ports_for_protocol(self) -> Self:
        if self.protocol in ("icmp", "all") and self.port_range is not None:
            raise model_error("port_range", f"{self.protocol} rules have no ports: leave port_range out")
        if self.protocol in ("tcp", "udp") and self.port_range is None:
            raise model_error("port_range", f"{self.protocol} rules need a port_range such as 22 or 8000-8100")
        return self


class VmNetworkAttach(CamelInput):
    """``POST /vms/{id}/networks``: the network's name and, for a new network (or a new subnet of an
    existing one), the subnet's CIDR."""

    name: str = Field(min_length=1, max_length=63, json_schema_extra={"pattern": NAME_RE.pattern})
    cidr: str | None = Field(default=None, max_length=64,
                             description="the subnet to join or create; optional for an existing network")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return resource_name(v)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, v: str | None) -> str | None:
        return private_cidr(v) if v is not None else None


def _event(s: AsyncSession, kind: str, net: VmNetwork, resource_type: str, resource_id: str,
           data: dict[str, Any]) -> None:
    outbox.record(s, kind, tenant_id=net.tenant_id, account_id=net.account_id, team_id=net.team_id,
                  resource_type=resource_type, resource_id=resource_id, data=data)


def _net_data(net: VmNetwork) -> dict[str, Any]:
    return {"id": net.id, "name": net.name, "team_id": net.team_id}


class VmNetworkService:
    def __init__(self, db: Database, pages: PageCodec, signals: Signals, vms: VmService) -> None:
        self.db = db
        self.pages = pages
        self.signals = signals
        self.vms = vms

    # -- networks ------------------------------------------------------------------------------

    async def list(self, principal: Principal, page: PageRequest) -> Page[VmNetwork]:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            stmt = select(VmNetwork).where(access.visible(principal, VmNetwork))
            return await self.pages.fetch(s, stmt, page, scope=f"vm_networks:{principal.account_id}",
                                          model=VmNetwork)

    async def get(self, principal: Principal, network_id: str) -> VmNetwork:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            net: VmNetwork = await access.load_visible(s, principal, VmNetwork, network_id, "net", "network")
        return net

    async def create(self, principal: Principal, data: NetworkCreate, *, dry_run: bool = False) -> VmNetwork:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            if data.team_id is not None:
                await access.check_share_team(s, principal, data.team_id)
            net = await self._new_network(s, principal, data.name, data.description, data.team_id)
        self._wake(dry_run)
        return net

    async def delete(self, principal: Principal, network_id: str, *, dry_run: bool = False) -> VmNetwork:
        """Delete a network with its subnets and firewall rules (409 while VMs are attached)."""
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            net = await self._load_for_update(s, principal, network_id)
            attached = await s.scalar(select(func.count()).select_from(VmNetworkAttachment)
                                      .where(VmNetworkAttachment.network_id == net.id))
            if attached:
                raise Conflict(f"network {net.id} has {attached} VM(s) attached; detach them first",
                               code="NetworkInUse")
            for model in (FirewallRule, Subnet):
                for row in (await s.scalars(select(model).where(model.network_id == net.id))).all():
                    await s.delete(row)
            await s.delete(net)
            _event(s, "vm_network.deleted", net, "vm_network", net.id, _net_data(net))
        self._wake(dry_run)
        return net

    # -- subnets -------------------------------------------------------------------------------

    async def list_subnets(self, principal: Principal, network_id: str, page: PageRequest) -> Page[Subnet]:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            net = await access.load_visible(s, principal, VmNetwork, network_id, "net", "network")
            return await self.pages.fetch(s, select(Subnet).where(Subnet.network_id == net.id), page,
                                          scope=f"subnets:{net.id}", model=Subnet)

    async def create_subnet(self, principal: Principal, network_id: str, data: SubnetCreate, *,
                            dry_run: bool = False) -> Subnet:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            net = await self._load_for_update(s, principal, network_id)
            return await self._add_subnet(s, net, data.name, data.cidr)

    async def delete_subnet(self, principal: Principal, network_id: str, subnet_id: str, *,
                            dry_run: bool = False) -> Subnet:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            net = await self._load_for_update(s, principal, network_id)
            sub = await s.get(Subnet, subnet_id) if well_formed(subnet_id, "subnet") else None
            if sub is None or sub.network_id != net.id:
                raise NotFound(f"subnet {subnet_id} not found in network {net.id}")
            attached = await s.scalar(select(func.count()).select_from(VmNetworkAttachment)
                                      .where(VmNetworkAttachment.subnet_id == sub.id))
            if attached:
                raise Conflict(f"subnet {sub.id} has {attached} VM(s) attached; detach them first",
                               code="SubnetInUse")
            await s.delete(sub)
            _event(s, "vm_network.subnet_deleted", net, "vm_network", net.id,
                   {**_net_data(net), "subnet_id": sub.id, "cidr": sub.cidr})
        return sub

    # -- firewall rules ------------------------------------------------------------------------

    async def list_rules(self, principal: Principal, network_id: str, page: PageRequest) -> Page[FirewallRule]:
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            net = await access.load_visible(s, principal, VmNetwork, network_id, "net", "network")
            return await self.pages.fetch(s, select(FirewallRule).where(FirewallRule.network_id == net.id), page,
                                          scope=f"firewall_rules:{net.id}", model=FirewallRule)

    async def create_rule(self, principal: Principal, network_id: str, data: FirewallRuleCreate, *,
                          dry_run: bool = False) -> FirewallRule:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            net = await self._load_for_update(s, principal, network_id)
            rule = FirewallRule(id=new_id("fw"), network_id=net.id, direction=data.direction,
                                protocol=data.protocol, port_range=data.port_range, source=data.source,
                                action=data.action, description=data.description, created_at=utcnow())
            s.add(rule)
            _event(s, "vm_network.firewall_rule_created", net, "vm_network", net.id,
                   {**_net_data(net), "rule_id": rule.id})
            await s.flush()
        self._wake(dry_run)
        return rule

    async def delete_rule(self, principal: Principal, network_id: str, rule_id: str, *,
                          dry_run: bool = False) -> FirewallRule:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            net = await self._load_for_update(s, principal, network_id)
            rule = await s.get(FirewallRule, rule_id) if well_formed(rule_id, "fw") else None
            if rule is None or rule.network_id != net.id:
                raise NotFound(f"firewall rule {rule_id} not found in network {net.id}")
            await s.delete(rule)
            _event(s, "vm_network.firewall_rule_deleted", net, "vm_network", net.id,
                   {**_net_data(net), "rule_id": rule.id})
        self._wake(dry_run)
        return rule

    # -- VMs on networks -----------------------------------------------------------------------

    async def vm_networks(self, principal: Principal, vm_id: str) -> builtins.list[Attached]:
        """The VM's networks (at most MAX_NETWORKS_PER_VM, so always one page), oldest first."""
        principal.require(SCOPE, "read")
        async with self.db.read() as s:
            vm = await access.load_visible(s, principal, Vm, vm_id, "vm", "VM")
            rows = (await s.execute(
                select(VmNetworkAttachment, VmNetwork, Subnet)
                .join(VmNetwork, VmNetwork.id == VmNetworkAttachment.network_id)
                .join(Subnet, Subnet.id == VmNetworkAttachment.subnet_id)
                .where(VmNetworkAttachment.vm_id == vm.id)
                .order_by(VmNetworkAttachment.created_at, VmNetworkAttachment.network_id))).all()
        return [(a, n, sub) for a, n, sub in rows]

    async def attach(self, principal: Principal, vm_id: str, data: VmNetworkAttach, *,
                     dry_run: bool = False) -> tuple[VmNetworkAttachment, VmNetwork, Subnet]:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            vm = await self.vms.load_for_update(s, principal, vm_id)
            if vm.status == VmStatus.TERMINATED.value:
                raise Conflict(f"VM {vm.id} is terminated; it cannot join a network", code="InvalidStateTransition")
            net = await self._network_named(s, principal, data.name)
            if net is None:
                if data.cidr is None:
                    raise ValidationError(f"cidr: there is no network named '{data.name}' yet; give the cidr of "
                                          "its first subnet to create it", field="cidr")
                net = await self._new_network(s, principal, data.name, "", vm.team_id)
            else:
                await access.require_manage(s, principal, net, "network")
                if await s.get(VmNetworkAttachment, (vm.id, net.id)) is not None:
                    raise Conflict(f"VM {vm.id} is already attached to network {net.id}", code="AlreadyAttached")
            count = await s.scalar(select(func.count()).select_from(VmNetworkAttachment)
                                   .where(VmNetworkAttachment.vm_id == vm.id))
            if (count or 0) >= MAX_NETWORKS_PER_VM:
                raise Conflict(f"VM {vm.id} is on {count} networks already, the most it may join",
                               code="TooManyNetworks")
            subnet = await self._subnet_for(s, net, data.cidr)
            att = VmNetworkAttachment(vm_id=vm.id, network_id=net.id, subnet_id=subnet.id,
                                      ip_address=await self._free_address(s, subnet), created_at=utcnow())
            s.add(att)
            outbox.record(s, "vm.network_attached", tenant_id=vm.tenant_id, account_id=vm.account_id,
                          team_id=vm.team_id, resource_type="vm", resource_id=vm.id,
                          data={"id": vm.id, "network_id": net.id, "network_name": net.name,
                                "subnet_id": subnet.id, "ip_address": att.ip_address})
            await s.flush()
        self._wake(dry_run)
        return att, net, subnet

    async def detach(self, principal: Principal, vm_id: str, network_id: str, *,
                     dry_run: bool = False) -> tuple[VmNetworkAttachment, VmNetwork, Subnet]:
        principal.require(SCOPE, "write")
        async with self.db.transaction(dry_run=dry_run) as s:
            vm = await self.vms.load_for_update(s, principal, vm_id)
            att = await s.get(VmNetworkAttachment, (vm.id, network_id)) if well_formed(network_id, "net") else None
            if att is None:
                raise NotFound(f"VM {vm.id} is not attached to network {network_id}")
            net = await s.get(VmNetwork, att.network_id)
            subnet = await s.get(Subnet, att.subnet_id)
            assert net is not None and subnet is not None
            await s.delete(att)
            outbox.record(s, "vm.network_detached", tenant_id=vm.tenant_id, account_id=vm.account_id,
                          team_id=vm.team_id, resource_type="vm", resource_id=vm.id,
                          data={"id": vm.id, "network_id": net.id, "network_name": net.name})
        self._wake(dry_run)
        return att, net, subnet

    # -- helpers -------------------------------------------------------------------------------

    def _wake(self, dry_run: bool) -> None:
        """After a committed write: the workers that keep networks and firewall rules in the cluster
        (the Kubernetes provisioner's NetworkPolicies) react at once instead of at their next pass."""
        if not dry_run:
            self.signals.changed()

    async def _load_for_update(self, s: AsyncSession, principal: Principal, network_id: str) -> VmNetwork:
        net: VmNetwork = await access.load_visible(s, principal, VmNetwork, network_id, "net", "network",
                                                   for_update=True)
        await access.require_manage(s, principal, net, "network")
        return net


    async def _new_network(self, s: AsyncSession, principal: Principal, name: str, description: str,
                           team_id: str | None) -> VmNetwork:
        taken = await s.scalar(select(VmNetwork.id).where(VmNetwork.account_id == principal.account_id,
                                                          VmNetwork.name == name))
        if taken:
            raise Conflict(f"a network named '{name}' already exists", code="ResourceAlreadyExists")
        now = utcnow()
        net = VmNetwork(id=new_id("net"), tenant_id=principal.tenant_id, account_id=principal.account_id,
                        name=name, description=description, team_id=team_id, created_at=now, updated_at=now)
        s.add(net)
        _event(s, "vm_network.created", net, "vm_network", net.id, _net_data(net))
        try:
            await s.flush()
        except IntegrityError:
            raise Conflict(f"a network named '{name}' already exists", code="ResourceAlreadyExists") from None
        return net

    async def _network_named(self, s: AsyncSession, principal: Principal, name: str) -> VmNetwork | None:
        """The caller's own network of that name, else one of that name shared with their team."""
        rows = (await s.scalars(select(VmNetwork).where(
            access.visible(principal, VmNetwork), VmNetwork.name == name)
            .order_by(VmNetwork.account_id != principal.account_id, VmNetwork.created_at).with_for_update())).all()
        return rows[0] if rows else None

    async def _add_subnet(self, s: AsyncSession, net: VmNetwork, name: str, cidr: str) -> Subnet:
        new = ipaddress.ip_network(cidr)
        for other in (await s.scalars(select(Subnet).where(Subnet.network_id == net.id))).all():
            if other.name == name:
                raise Conflict(f"network {net.id} already has a subnet named '{name}'", code="ResourceAlreadyExists")
            existing = ipaddress.ip_network(other.cidr)
            if existing.version == new.version and existing.overlaps(new):  # type: ignore[arg-type]
                raise Conflict(f"{cidr} overlaps subnet {other.id} ({other.cidr}) of network {net.id}",
                               code="SubnetOverlap")
        sub = Subnet(id=new_id("subnet"), network_id=net.id, name=name, cidr=cidr, created_at=utcnow())
        s.add(sub)
        _event(s, "vm_network.subnet_created", net, "vm_network", net.id,
               {**_net_data(net), "subnet_id": sub.id, "cidr": cidr})
        try:
            await s.flush()
        except IntegrityError:
            raise Conflict(f"network {net.id} already has a subnet named '{name}'",
                           code="ResourceAlreadyExists") from None
        return sub

    async def _subnet_for(self, s: AsyncSession, net: VmNetwork, cidr: str | None) -> Subnet:
        subnets = (await s.scalars(select(Subnet).where(Subnet.network_id == net.id)
                                   .order_by(Subnet.created_at, Subnet.id))).all()
        if cidr is None:
            if not subnets:
                raise ValidationError(f"cidr: network {net.id} has no subnet; give one", field="cidr")
            return subnets[0]
        for sub in subnets:
            if sub.cidr == cidr:
                return sub
        names = {sub.name for sub in subnets}
        name = next(n for n in itertools.chain(["default"], (f"subnet-{i}" for i in itertools.count(2)))
                    if n not in names)
        return await self._add_subnet(s, net, name, cidr)

    async def _free_address(self, s: AsyncSession, subnet: Subnet) -> str:
        used = set((await s.scalars(select(VmNetworkAttachment.ip_address)
                                    .where(VmNetworkAttachment.subnet_id == subnet.id))).all())
        # The first host address is the gateway's.
        hosts = itertools.islice(ipaddress.ip_network(subnet.cidr).hosts(), 1, len(used) + 2)
        for host in hosts:
            if str(host) not in used:
                return str(host)
        raise Conflict(f"subnet {subnet.id} ({subnet.cidr}) has no free address", code="SubnetFull")


