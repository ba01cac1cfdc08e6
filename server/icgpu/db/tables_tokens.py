"""Prepaid tokens (issue 11): each tenant's balance and what holds it, purchases and grants, per-call
usage, spending alerts and the in-app notifications they leave. Rules: services/tokens.py,
services/spending_alerts.py, services/notifications.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from icgpu.db.base import Base, utcnow

BIG = BigInteger().with_variant(Integer, "sqlite")  # SQLite's INTEGER is 64-bit already


class TokenBalance(Base):
    """One row per tenant that ever held tokens. ``balance`` only moves by purchases, grants and
    settled charges; ``reserved`` is what live calls hold. Invariant: 0 <= reserved <= balance."""

    __tablename__ = "token_balances"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    balance: Mapped[int] = mapped_column(BIG, default=0)
    reserved: Mapped[int] = mapped_column(BIG, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TokenReservation(Base):
    """Tokens held for one call in flight; removed when the call settles or releases, or by the sweep
    once ``expires_at`` has passed (a crashed call)."""

    __tablename__ = "token_reservations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str | None] = mapped_column(String(40), default=None)
    model: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BIG)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TokenPurchase(Base):
    """A credit of the balance: a self-service purchase (``purchase``) or an operator grant (``grant``)."""

    __tablename__ = "token_purchases"
    __table_args__ = (Index("ix_token_purchases_page", "tenant_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[str | None] = mapped_column(String(40), default=None)  # None for a grant
    kind: Mapped[str] = mapped_column(String(10))  # purchase | grant
    amount: Mapped[int] = mapped_column(BIG)
    package_id: Mapped[str | None] = mapped_column(String(40), default=None)
    price: Mapped[float | None] = mapped_column(Float, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    balance_after: Mapped[int] = mapped_column(BIG)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TokenUsage(Base):
    """What one settled call cost."""

    __tablename__ = "token_usage"
    __table_args__ = (Index("ix_token_usage_page", "tenant_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    account_id: Mapped[str | None] = mapped_column(String(40), default=None)
    api_key_id: Mapped[str | None] = mapped_column(String(40), default=None)
    request_id: Mapped[str | None] = mapped_column(String(200), default=None)
    model: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int] = mapped_column(BIG)
    completion_tokens: Mapped[int] = mapped_column(BIG)
    multiplier: Mapped[float] = mapped_column(Float)
    charged: Mapped[int] = mapped_column(BIG)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpendingAlert(Base):
    """A balance threshold of the tenant, owned by the account that made it. ``armed``: the balance
    was at or above the threshold when last seen, so falling below it fires ``balance.low`` once."""

    __tablename__ = "spending_alerts"
    __table_args__ = (Index("ix_spending_alerts_owner_page", "account_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    threshold: Mapped[int] = mapped_column(BIG)
    notify_via: Mapped[str] = mapped_column(String(10))  # webhook | in_app
    armed: Mapped[bool] = mapped_column(Boolean, default=True)
    last_fired_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """An in-app notification for one account (left by its ``in_app`` spending alerts)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_owner_page", "account_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(60))  # balance.low | balance.depleted
    alert_id: Mapped[str | None] = mapped_column(String(40), default=None)
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
