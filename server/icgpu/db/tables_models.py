"""Model deployments (issue 11). Imported at the bottom of db/tables.py.

A tenant's deployment has ``tenant_id`` and ``account_id``; the platform's shared deployments, one
per catalogue alias (services/model_catalogue.py), have neither (``tenant_id`` is NULL) and are
never listed to a tenant.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow

LIVE_TENANT_MODEL = "status != 'deleted' AND tenant_id IS NOT NULL"
LIVE_SHARED_MODEL = "status != 'deleted' AND tenant_id IS NULL"


class Endpoint(TypedDict):
    """A ready replica's target as ``ModelDeployment.endpoints`` keeps it: its base URL, and the model
    name to send there (a KubeAI Model's name), or null for the route's own (a development engine)."""

    url: str
    model: str | None


class ModelDeployment(Base):
    """A model served by replicas of an OpenAI-compatible engine (or an operator's external URL)."""

    __tablename__ = "model_deployments"
    __table_args__ = (
        # A live deployment's name is unique in its tenant (it is how /v1 calls and REST address it);
        # the platform's shared deployments are unique per catalogue alias.
        Index("uq_model_deployments_live_name", "tenant_id", "name", unique=True,
              sqlite_where=text(LIVE_TENANT_MODEL), postgresql_where=text(LIVE_TENANT_MODEL)),
        Index("uq_model_deployments_shared_name", "name", unique=True,
              sqlite_where=text(LIVE_SHARED_MODEL), postgresql_where=text(LIVE_SHARED_MODEL)),
        Index("ix_model_deployments_owner_page", "account_id", "created_at", "id"),
        Index("ix_model_deployments_team_page", "team_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), default=None,
                                                  index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), default=None)
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    name: Mapped[str] = mapped_column(String(63))
    model: Mapped[str] = mapped_column(String(200))  # the Hugging Face id served
    engine: Mapped[str] = mapped_column(String(20))  # vllm | sglang | ollama
    kind: Mapped[str] = mapped_column(String(20))  # chat | embedding
    resource_profile: Mapped[str] = mapped_column(String(40))
    min_replicas: Mapped[int] = mapped_column(Integer)
    max_replicas: Mapped[int] = mapped_column(Integer)
    # Fernet-encrypted Hugging Face token (services/model_secrets.py); never returned.
    hf_token_blob: Mapped[str | None] = mapped_column(Text, default=None)
    has_hf_token: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Set by POST .../stop: held at zero replicas until the next call wakes it.
    stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    desired_replicas: Mapped[int] = mapped_column(Integer, default=0)
    ready_replicas: Mapped[int] = mapped_column(Integer, default=0)
    # Replicas holding a GPU slot of the profile's tier (the tenant's GPU usage, services/quotas.py).
    gpu_replicas: Mapped[int] = mapped_column(Integer, default=0)
    # The ready replicas' targets, written by the scaler: how an API process without the scaler
    # (icgpu serve beside icgpu worker) reaches them (services/model_replicas.py endpoint, target_of);
    # and the last call such a process saw.
    endpoints: Mapped[list[Endpoint]] = mapped_column(JSON, default=list)
    last_call_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
