"""Which rows a principal may see. Another tenant's resource is always "not found", never 403."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_

from icgpu.auth.principal import Principal


def owned_by(principal: Principal, model: Any) -> ColumnElement[bool]:
    return and_(model.tenant_id == principal.tenant_id, model.account_id == principal.account_id)


def can_see(principal: Principal, row: Any) -> bool:
    return bool(row.tenant_id == principal.tenant_id and row.account_id == principal.account_id)
