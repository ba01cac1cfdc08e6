"""GraphQL types for Slurm environments."""

from __future__ import annotations

from datetime import datetime

import strawberry

from icgpu.api.graphql.types.payloads import MutationPayload
from icgpu.db.tables_slurm import SlurmEnvironment as SlurmEnvironmentRow
from icgpu.services.slurm import DEFAULT_TIER, SlurmStatus
from icgpu.services.tiers import HOURLY_PRICE

SlurmEnvironmentStatus = strawberry.enum(SlurmStatus, name="SlurmEnvironmentStatus",
                                         description="Lifecycle status of a Slurm environment.")


@strawberry.type(description="A managed Slurm environment: a control plane over max_nodes x gpu_per_node GPUs.")
class SlurmEnvironment:
    id: strawberry.ID
    name: str
    max_nodes: int
    gpu_per_node: int
    gpu_tier: str
    total_gpus: int = strawberry.field(description="maxNodes x gpuPerNode: the GPUs the environment reserves.")
    gpus_placed: int = strawberry.field(description="GPUs placed on the inventory so far.")
    team_id: str | None
    status: SlurmEnvironmentStatus  # type: ignore[valid-type]
    status_reason: str | None
    ssh_host: str | None = strawberry.field(description="The head node's SSH host, once ready.")
    ssh_port: int | None
    ssh_user: str | None
    hourly_price: float = strawberry.field(description="The tier's hourly price times totalGpus.")
    account_id: str
    created_at: datetime
    updated_at: datetime
    terminated_at: datetime | None

    @classmethod
    def from_row(cls, r: SlurmEnvironmentRow) -> SlurmEnvironment:
        total = r.max_nodes * r.gpu_per_node
        return cls(
            id=strawberry.ID(r.id), name=r.name, max_nodes=r.max_nodes, gpu_per_node=r.gpu_per_node,
            gpu_tier=r.gpu_tier, total_gpus=total, gpus_placed=r.gpus_placed, team_id=r.team_id,
            status=SlurmStatus(r.status), status_reason=r.status_reason, ssh_host=r.ssh_host,
            ssh_port=r.ssh_port, ssh_user=r.ssh_user,
            hourly_price=round(HOURLY_PRICE[r.gpu_tier, "interactive"] * total, 4),
            account_id=r.account_id, created_at=r.created_at, updated_at=r.updated_at,
            terminated_at=r.terminated_at,
        )


@strawberry.type(description="One page of Slurm environments.")
class SlurmEnvironmentConnection:
    items: list[SlurmEnvironment]
    next_token: str | None


@strawberry.input(description="A new Slurm environment.")
class CreateSlurmEnvironmentInput:
    name: str
    max_nodes: int
    gpu_per_node: int
    gpu_tier: str = strawberry.field(default=DEFAULT_TIER, description="the GPU tier of every node")
    team_id: str | None = strawberry.field(default=None, description="share the environment with this team")


@strawberry.type(description="A Slurm environment as a mutation left it (or would leave it, in a dry run).")
class SlurmEnvironmentPayload(MutationPayload):
    slurm_environment: SlurmEnvironment
