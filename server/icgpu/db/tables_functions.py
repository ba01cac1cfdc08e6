"""GPU functions (serverless) and their runs. Imported at the bottom of db/tables.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow

LIVE_FUNCTION = "status != 'deleted'"


class GpuFunction(Base):
    """A function: an image and entrypoint run on demand on one GPU of its tier."""

    __tablename__ = "functions"
    __table_args__ = (
        # A live function's name is unique for its owner; deleted names can be reused.
        Index("uq_functions_live_name", "account_id", "name", unique=True,
              sqlite_where=text(LIVE_FUNCTION), postgresql_where=text(LIVE_FUNCTION)),
        Index("ix_functions_owner_page", "account_id", "created_at", "id"),
        Index("ix_functions_team_page", "team_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    name: Mapped[str] = mapped_column(String(63))
    image: Mapped[str] = mapped_column(String(512))
    entrypoint: Mapped[str] = mapped_column(Text)
    gpu_tier: Mapped[str] = mapped_column(String(20))
    timeout_seconds: Mapped[int] = mapped_column(Integer)
    env_vars: Mapped[dict[str, Any]]
    # Write-only values: Fernet-encrypted JSON (services/function_secrets.py); only the names are shown.
    secret_env_names: Mapped[list[str]]
    secret_env_blob: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(20))  # active | deleted
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class FunctionRun(Base):
    """One execution of a function: queued -> running -> succeeded | failed | timed_out | cancelled."""

    __tablename__ = "function_runs"
    __table_args__ = (
        Index("ix_function_runs_page", "function_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    function_id: Mapped[str] = mapped_column(ForeignKey("functions.id", ondelete="CASCADE"))
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))  # who ran it
    team_id: Mapped[str | None] = mapped_column(String(40), default=None)  # the function's team
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    input: Mapped[Any] = mapped_column(JSON)
    output: Mapped[Any | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    logs: Mapped[str | None] = mapped_column(Text, default=None)
    exit_code: Mapped[int | None] = mapped_column(Integer, default=None)
    gpu_tier: Mapped[str] = mapped_column(String(20))
    timeout_seconds: Mapped[int] = mapped_column(Integer)
    price_per_hour: Mapped[float] = mapped_column(Float)
    duration_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    cost: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
