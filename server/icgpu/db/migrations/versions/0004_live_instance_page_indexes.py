"""live instance page indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

LIVE = "status != 'terminated'"


def upgrade() -> None:
    for name, column in (("ix_instances_live_by_account", "account_id"), ("ix_instances_live_by_team", "team_id")):
        op.create_index(name, "instances", [column, "created_at", "id"], unique=False,
                        sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index("ix_instances_live_by_team", table_name="instances")
    op.drop_index("ix_instances_live_by_account", table_name="instances")
