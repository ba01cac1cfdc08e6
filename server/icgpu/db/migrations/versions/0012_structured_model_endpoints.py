"""structured model endpoints: a deployment's ``endpoints`` hold {"url", "model"} objects

Until now a KubeAI-served replica's endpoint was the text ``<URL>#<Model name>`` (and a development-engine
replica's its URL alone): two values in one string. The column stays JSON; each string becomes an object
(``model`` null without a ``#``). Downgrading writes the strings back.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from collections.abc import Callable
from typing import Any

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

DEPLOYMENTS = sa.table('model_deployments', sa.column('id', sa.String), sa.column('endpoints', sa.JSON))


def _structured(stored: Any) -> Any:
    if not isinstance(stored, str):
        return stored  # already an object
    url, _, model = stored.partition('#')
    return {'url': url, 'model': model or None}


def _text(stored: Any) -> Any:
    if not isinstance(stored, dict):
        return stored
    return f"{stored['url']}#{stored['model']}" if stored.get('model') else stored['url']


def _rewrite(convert: Callable[[Any], Any]) -> None:
    """Every deployment's endpoints through ``convert`` (few rows: one per model deployment)."""
    bind = op.get_bind()
    for row_id, endpoints in bind.execute(sa.select(DEPLOYMENTS.c.id, DEPLOYMENTS.c.endpoints)).all():
        converted = [convert(e) for e in endpoints or []]
        if converted != (endpoints or []):
            bind.execute(sa.update(DEPLOYMENTS).where(DEPLOYMENTS.c.id == row_id).values(endpoints=converted))


def upgrade() -> None:
    _rewrite(_structured)


def downgrade() -> None:
    _rewrite(_text)
