"""Tables of persistent VM disks (issue 10). A disk's size counts in its tenant's storage quota
(services/quotas.py) from creation to deletion; it is attached to at most one VM at a time.
The per-tenant GPU limit is a column of ``Tenant`` (db/tables.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow

LIVE = "status != 'deleted'"  # the predicate of the partial indexes on live disks


class VmDisk(Base):
    __tablename__ = "vm_disks"
    __table_args__ = (
        # A live disk's name is unique for its owner; deleted names can be reused.
        Index("uq_vm_disks_live_name", "account_id", "name", unique=True,
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_vm_disks_live_by_account", "account_id", "created_at", "id",
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_vm_disks_live_by_team", "team_id", "created_at", "id",
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None,
                                                index=True)
    name: Mapped[str] = mapped_column(String(63))
    size_gb: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # available | attached | deleted
    # The VM it is attached to (no foreign key: a VM row outlives its disks' attachment only while live).
    vm_id: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    attached_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
