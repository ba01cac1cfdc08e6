"""Tables of virtual Kubernetes clusters (services/clusters.py) and of the local simulator's
control planes (provisioning/local/clusters.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow

# A cluster's name is held from creation until it is deleted (deleting or terminated frees it).
NAME_HELD = "status NOT IN ('deleting', 'terminated')"
LISTED = "status != 'terminated'"  # lists show every cluster but the terminated ones


class Cluster(Base):
    __tablename__ = "clusters"
    __table_args__ = (
        Index("uq_clusters_live_name", "account_id", "name", unique=True,
              sqlite_where=text(NAME_HELD), postgresql_where=text(NAME_HELD)),
        Index("ix_clusters_listed_by_account", "account_id", "created_at", "id",
              sqlite_where=text(LISTED), postgresql_where=text(LISTED)),
        Index("ix_clusters_listed_by_team", "team_id", "created_at", "id",
              sqlite_where=text(LISTED), postgresql_where=text(LISTED)),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    name: Mapped[str] = mapped_column(String(63))
    version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    server_url: Mapped[str | None] = mapped_column(String(255), default=None)  # recorded by the provisioner
    ca_cert_pem: Mapped[str] = mapped_column(Text)  # the cluster's own CA (public)
    ca_key_pem: Mapped[str | None] = mapped_column(Text, default=None)  # encrypted; dropped at deletion
    # The bearer credential: never stored. ``token_salt`` (random) and the server's secret derive
    # it; ``token_hash`` (SHA-256) lets a control plane check it. Both are cleared on deletion.
    token_salt: Mapped[str | None] = mapped_column(String(64), default=None)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    terminated_at: Mapped[datetime | None] = mapped_column(default=None)


class SimCluster(Base):
    """The local provisioner's simulated control planes: one row per cluster it runs."""

    __tablename__ = "sim_clusters"

    cluster_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[str] = mapped_column(String(20))
    server_url: Mapped[str] = mapped_column(String(255))
    phase: Mapped[str] = mapped_column(String(20))  # provisioning.base.Phase values
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
    gone_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
