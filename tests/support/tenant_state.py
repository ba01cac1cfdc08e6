"""Everything one tenant has in the server's database, read directly: to prove a call wrote nothing.

``tenant_state`` returns every row (all columns) the tenant owns, table by table: the tenant row
itself (storage used), accounts, API keys, instances, teams and their members, SSH keys, key groups
and their members, events and the idempotency records of its accounts; and issue 10's families: VMs
and their network attachments, VM networks with their subnets and firewall rules, VM disks, clusters
(and the local simulator's control planes of them), Slurm environments, functions and their runs.
Two equal snapshots mean nothing of the tenant's was inserted, changed or deleted in between.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icgpu.db.tables import (
    Account,
    ApiKey,
    Cluster,
    Event,
    FirewallRule,
    FunctionRun,
    GpuFunction,
    IdempotencyRecord,
    Instance,
    SimCluster,
    SlurmEnvironment,
    SshKey,
    SshKeyGroup,
    SshKeyGroupMember,
    Subnet,
    Team,
    TeamMember,
    Tenant,
    Vm,
    VmDisk,
    VmNetwork,
    VmNetworkAttachment,
)
from icgpu.db.tables_models import ModelDeployment  # issue 11: model deployments
from icgpu.db.tables_tokens import (  # issue 11: prepaid tokens and spending alerts
    Notification,
    SpendingAlert,
    TokenBalance,
    TokenPurchase,
    TokenReservation,
    TokenUsage,
)
from tests.support.auth import run_db
from tests.support.server import Server

OWNED = (Account, ApiKey, Instance, Team, SshKey, SshKeyGroup, Event,
         Vm, VmNetwork, VmDisk, Cluster, SlurmEnvironment, GpuFunction, FunctionRun)
OWNED_TOKENS = (TokenBalance, TokenReservation, TokenPurchase, TokenUsage, SpendingAlert, Notification)  # issue 11
OWNED_MODELS = (ModelDeployment,)  # issue 11


def _rows(result: Any) -> list[tuple[Any, ...]]:
    """Every row, all columns, as comparable text, in a stable order."""
    return sorted((tuple(repr(v) for v in row) for row in result), key=repr)


def tenant_state(server: Server, tenant: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tenant`` (by name), per table."""

    async def read(s: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
        tid = await s.scalar(select(Tenant.id).where(Tenant.name == tenant))
        assert tid, f"no tenant {tenant!r}"
        out: dict[str, list[tuple[Any, ...]]] = {}
        owned = [(m.__tablename__, select(m.__table__).where(m.tenant_id == tid)) for m in OWNED]
        owned += [(m.__tablename__, select(m.__table__).where(m.tenant_id == tid)) for m in OWNED_TOKENS]
        owned += [(m.__tablename__, select(m.__table__).where(m.tenant_id == tid)) for m in OWNED_MODELS]
        tables: list[tuple[str, Any]] = [("tenants", select(Tenant.__table__).where(Tenant.id == tid)), *owned]
        tables += [
            ("team_members", select(TeamMember.__table__).join(Team, Team.id == TeamMember.team_id)
             .where(Team.tenant_id == tid)),
            ("ssh_key_group_members", select(SshKeyGroupMember.__table__)
             .join(SshKeyGroup, SshKeyGroup.id == SshKeyGroupMember.group_id).where(SshKeyGroup.tenant_id == tid)),
            ("idempotency_keys", select(IdempotencyRecord.__table__)
             .join(Account, Account.id == IdempotencyRecord.account_id).where(Account.tenant_id == tid)),
            ("vm_subnets", select(Subnet.__table__).join(VmNetwork, VmNetwork.id == Subnet.network_id)
             .where(VmNetwork.tenant_id == tid)),
            ("vm_firewall_rules", select(FirewallRule.__table__)
             .join(VmNetwork, VmNetwork.id == FirewallRule.network_id).where(VmNetwork.tenant_id == tid)),
            # An attachment is the tenant's by its VM or by its network (either would show a stray row).
            ("vm_network_attachments", select(VmNetworkAttachment.__table__)
             .where(VmNetworkAttachment.vm_id.in_(select(Vm.id).where(Vm.tenant_id == tid))
                    | VmNetworkAttachment.network_id.in_(select(VmNetwork.id).where(VmNetwork.tenant_id == tid)))),
            ("sim_clusters", select(SimCluster.__table__).join(Cluster, Cluster.id == SimCluster.cluster_id)
             .where(Cluster.tenant_id == tid)),
        ]
        for name, stmt in tables:
            out[name] = _rows(await s.execute(stmt))
        return out

    return run_db(server, read)
