"""tokens and alerts: prepaid token balances, reservations, purchases, usage, spending alerts, notifications

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = icgpu.db.base.UTCDateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'),
                                   ondelete='CASCADE')


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f(f'fk_{table}_account_id_accounts'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('token_balances',
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('balance', BIG, nullable=False),
    sa.Column('reserved', BIG, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    _tenant_fk('token_balances'),
    sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_token_balances'))
    )

    op.create_table('token_reservations',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=True),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('amount', BIG, nullable=False),
    sa.Column('expires_at', TS, nullable=False),
    sa.Column('created_at', TS, nullable=False),
    _tenant_fk('token_reservations'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_token_reservations'))
    )
    with op.batch_alter_table('token_reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_token_reservations_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_token_reservations_expires_at'), ['expires_at'], unique=False)

    op.create_table('token_purchases',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('amount', BIG, nullable=False),
    sa.Column('package_id', sa.String(length=40), nullable=True),
    sa.Column('price', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('balance_after', BIG, nullable=False),
    sa.Column('created_at', TS, nullable=False),
    _tenant_fk('token_purchases'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_token_purchases'))
    )
    with op.batch_alter_table('token_purchases', schema=None) as batch_op:
        batch_op.create_index('ix_token_purchases_page', ['tenant_id', 'created_at', 'id'], unique=False)

    op.create_table('token_usage',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=True),
    sa.Column('api_key_id', sa.String(length=40), nullable=True),
    sa.Column('request_id', sa.String(length=200), nullable=True),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('prompt_tokens', BIG, nullable=False),
    sa.Column('completion_tokens', BIG, nullable=False),
    sa.Column('multiplier', sa.Float(), nullable=False),
    sa.Column('charged', BIG, nullable=False),
    sa.Column('created_at', TS, nullable=False),
    _tenant_fk('token_usage'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_token_usage'))
    )
    with op.batch_alter_table('token_usage', schema=None) as batch_op:
        batch_op.create_index('ix_token_usage_page', ['tenant_id', 'created_at', 'id'], unique=False)

    op.create_table('spending_alerts',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('threshold', BIG, nullable=False),
    sa.Column('notify_via', sa.String(length=10), nullable=False),
    sa.Column('armed', sa.Boolean(), nullable=False),
    sa.Column('last_fired_at', TS, nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    _account_fk('spending_alerts'),
    _tenant_fk('spending_alerts'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spending_alerts'))
    )
    with op.batch_alter_table('spending_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spending_alerts_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_spending_alerts_owner_page', ['account_id', 'created_at', 'id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('alert_id', sa.String(length=40), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    _account_fk('notifications'),
    _tenant_fk('notifications'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_notifications_owner_page', ['account_id', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('notifications')
    op.drop_table('spending_alerts')
    op.drop_table('token_usage')
    op.drop_table('token_purchases')
    op.drop_table('token_reservations')
    op.drop_table('token_balances')
