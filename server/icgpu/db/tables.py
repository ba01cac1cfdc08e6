"""Every table of the store. SQL lives in services and the store layer only, never in adapters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    storage_used_gb: Mapped[int] = mapped_column(Integer, default=0)
    storage_quota_gb: Mapped[int | None] = mapped_column(Integer, default=None)
    gpu_limit: Mapped[int | None] = mapped_column(Integer, default=None)  # None: the tenant_gpu_limit setting
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    oidc_subject: Mapped[str | None] = mapped_column(String(512), unique=True, default=None)
    role: Mapped[str] = mapped_column(String(20), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]]
    permissions: Mapped[list[str]]
    expires_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    expiry_announced_at: Mapped[datetime | None] = mapped_column(default=None)  # key.expired sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


LIVE = "status != 'terminated'"  # the predicate of the partial indexes on live instances


class Instance(Base):
    __tablename__ = "instances"
    __table_args__ = (
        Index("ix_instances_owner_page", "account_id", "created_at", "id"),
        # A live instance's name is unique for its owner; terminated names can be reused.
        Index(
            "uq_instances_live_name",
            "account_id",
            "name",
            unique=True,
            sqlite_where=text("status != 'terminated'"),
            postgresql_where=text("status != 'terminated'"),
        ),
        # Pages of live instances, in keyset order, per owner and per team: a page costs the same
        # whatever the tenant's size (services/instances.py reads each branch in index order).
        Index("ix_instances_live_by_account", "account_id", "created_at", "id",
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_instances_live_by_team", "team_id", "created_at", "id",
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(63))
    tier: Mapped[str] = mapped_column(String(20))
    workload_type: Mapped[str] = mapped_column(String(20))
    storage_gb: Mapped[int] = mapped_column(Integer)
    ssh_key: Mapped[str | None] = mapped_column(Text, default=None)
    ssh_key_group_id: Mapped[str | None] = mapped_column(
        ForeignKey("ssh_key_groups.id", ondelete="SET NULL"), default=None)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None,
                                                index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    ssh_host: Mapped[str | None] = mapped_column(String(255), default=None)
    ssh_port: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    terminated_at: Mapped[datetime | None] = mapped_column(default=None)
    auto_stop_after_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    auto_stop_at: Mapped[datetime | None] = mapped_column(default=None)  # set while running


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "account_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SshKey(Base):
    __tablename__ = "ssh_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "fingerprint"), Index("ix_ssh_keys_owner_page", "account_id",
                                                                           "created_at", "id"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(Text)
    key_type: Mapped[str] = mapped_column(String(40))
    bits: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SshKeyGroup(Base):
    __tablename__ = "ssh_key_groups"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SshKeyGroupMember(Base):
    __tablename__ = "ssh_key_group_members"

    group_id: Mapped[str] = mapped_column(ForeignKey("ssh_key_groups.id", ondelete="CASCADE"), primary_key=True)
    ssh_key_id: Mapped[str] = mapped_column(ForeignKey("ssh_keys.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """The outbox: written in the same transaction as the change it describes."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_resource", "resource_id", "seq"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    tenant_id: Mapped[str] = mapped_column(String(40), index=True)
    account_id: Mapped[str | None] = mapped_column(String(40), default=None)
    team_id: Mapped[str | None] = mapped_column(String(40), default=None)  # shared resources: team sees it
    resource_type: Mapped[str] = mapped_column(String(30))
    resource_id: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("account_id", "key"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    account_id: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12))  # in_progress | done
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    response_body: Mapped[str | None] = mapped_column(Text, default=None)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # e.g. Location
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SimPod(Base):
    """The local provisioner's simulated cluster: one row per scheduled workload ("pod")."""

    __tablename__ = "sim_pods"

    instance_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[str | None] = mapped_column(String(40), unique=True, default=None)
    tier: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(20))  # provisioning.base.Phase values
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
    gone_at: Mapped[datetime | None] = mapped_column(default=None)
    port: Mapped[int | None] = mapped_column(Integer, default=None)
    authorized_keys: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


from icgpu.db.tables_clusters import Cluster, SimCluster  # noqa: E402,F401  (virtual Kubernetes clusters, issue 10)
from icgpu.db.tables_disks import VmDisk  # noqa: E402,F401  (VM disks, issue 10)
from icgpu.db.tables_functions import FunctionRun, GpuFunction  # noqa: E402,F401  (GPU functions, issue 10)
from icgpu.db.tables_models import ModelDeployment  # noqa: E402,F401  (model deployments, issue 11)
from icgpu.db.tables_slurm import SlurmEnvironment  # noqa: E402,F401  (Slurm environments, issue 10)
from icgpu.db.tables_tokens import TokenBalance  # noqa: E402,F401  (every table of tokens and alerts, issue 11)
from icgpu.db.tables_vms import FirewallRule, Subnet, Vm, VmNetwork, VmNetworkAttachment  # noqa: E402,F401  (VMs and networks, issue 10)
