"""Slurm environments: one row per environment; its GPUs are workloads of the provisioner, keyed
``<environment id>.<n>`` (n = 0 .. max_nodes x gpu_per_node - 1; ``.0`` is on the head node)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow

LIVE_SLURM = "status != 'terminated'"


class SlurmEnvironment(Base):
    __tablename__ = "slurm_environments"
    __table_args__ = (
        # A live environment's name is unique for its owner; terminated names can be reused.
        Index("uq_slurm_environments_live_name", "account_id", "name", unique=True,
              sqlite_where=text(LIVE_SLURM), postgresql_where=text(LIVE_SLURM)),
        Index("ix_slurm_environments_owner_page", "account_id", "created_at", "id"),
        Index("ix_slurm_environments_team_page", "team_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    name: Mapped[str] = mapped_column(String(63))
    gpu_tier: Mapped[str] = mapped_column(String(20))
    max_nodes: Mapped[int] = mapped_column(Integer)
    gpu_per_node: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    gpus_placed: Mapped[int] = mapped_column(Integer, default=0)
    ssh_host: Mapped[str | None] = mapped_column(String(255), default=None)
    ssh_port: Mapped[int | None] = mapped_column(Integer, default=None)
    ssh_user: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    terminated_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def total_gpus(self) -> int:
        return self.max_nodes * self.gpu_per_node
