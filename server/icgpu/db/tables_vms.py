"""Tables of virtual machines and their private networks (issue 10): VMs, VM networks, subnets,
firewall rules and VM-network attachments. VM templates are a catalogue in code
(services/vm_templates.py), not a table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow

LIVE = "status != 'terminated'"  # the predicate of the partial indexes on live VMs


class Vm(Base):
    """A virtual machine. Its boot disk (``disk_gb``) counts in the tenant's storage quota; a VM
    with a ``gpu_tier`` holds one slot of that tier on the provisioner while it runs."""

    __tablename__ = "vms"
    __table_args__ = (
        # A live VM's name is unique for its owner; terminated names can be reused.
        Index("uq_vms_live_name", "account_id", "name", unique=True,
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_vms_live_by_account", "account_id", "created_at", "id",
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_vms_live_by_team", "team_id", "created_at", "id",
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    template_id: Mapped[str] = mapped_column(String(40))
    cpu: Mapped[int] = mapped_column(Integer)
    memory_gb: Mapped[int] = mapped_column(Integer)
    disk_gb: Mapped[int] = mapped_column(Integer)
    gpu_tier: Mapped[str | None] = mapped_column(String(20), default=None)  # None: a CPU-only VM
    ssh_key: Mapped[str | None] = mapped_column(Text, default=None)
    ssh_key_group_id: Mapped[str | None] = mapped_column(
        ForeignKey("ssh_key_groups.id", ondelete="SET NULL"), default=None)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None,
                                                index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    ssh_host: Mapped[str | None] = mapped_column(String(255), default=None)
    ssh_port: Mapped[int | None] = mapped_column(Integer, default=None)
    auto_stop_after_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    auto_stop_at: Mapped[datetime | None] = mapped_column(default=None)  # set while running
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    terminated_at: Mapped[datetime | None] = mapped_column(default=None)


class VmNetwork(Base):
    """A private network: its name is unique among its owner's networks."""

    __tablename__ = "vm_networks"
    __table_args__ = (
        UniqueConstraint("account_id", "name"),
        Index("ix_vm_networks_owner_page", "account_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    description: Mapped[str] = mapped_column(Text, default="")
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None,
                                                index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subnet(Base):
    __tablename__ = "vm_subnets"
    __table_args__ = (UniqueConstraint("network_id", "name"), Index("ix_vm_subnets_page", "network_id",
                                                                    "created_at", "id"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("vm_networks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    cidr: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FirewallRule(Base):
    __tablename__ = "vm_firewall_rules"
    __table_args__ = (Index("ix_vm_firewall_rules_page", "network_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("vm_networks.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(10))
    protocol: Mapped[str] = mapped_column(String(10))
    port_range: Mapped[str | None] = mapped_column(String(11), default=None)
    source: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VmNetworkAttachment(Base):
    """A VM on a network, with the address it has in one of the network's subnets."""

    __tablename__ = "vm_network_attachments"
    __table_args__ = (UniqueConstraint("subnet_id", "ip_address"),)

    vm_id: Mapped[str] = mapped_column(ForeignKey("vms.id", ondelete="CASCADE"), primary_key=True)
    network_id: Mapped[str] = mapped_column(ForeignKey("vm_networks.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    subnet_id: Mapped[str] = mapped_column(ForeignKey("vm_subnets.id", ondelete="CASCADE"), index=True)
    ip_address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
