"""model deployments: tenants' deployments and the platform's shared catalogue deployments

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LIVE_TENANT_MODEL = "status != 'deleted' AND tenant_id IS NOT NULL"
LIVE_SHARED_MODEL = "status != 'deleted' AND tenant_id IS NULL"


def upgrade() -> None:
    op.create_table('model_deployments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=True),
    sa.Column('account_id', sa.String(length=40), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('resource_profile', sa.String(length=40), nullable=False),
    sa.Column('min_replicas', sa.Integer(), nullable=False),
    sa.Column('max_replicas', sa.Integer(), nullable=False),
    sa.Column('hf_token_blob', sa.Text(), nullable=True),
    sa.Column('has_hf_token', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('stopped', sa.Boolean(), nullable=False),
    sa.Column('desired_replicas', sa.Integer(), nullable=False),
    sa.Column('ready_replicas', sa.Integer(), nullable=False),
    sa.Column('gpu_replicas', sa.Integer(), nullable=False),
    sa.Column('endpoints', sa.JSON(), nullable=False),
    sa.Column('last_call_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_model_deployments_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_model_deployments_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_model_deployments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_deployments'))
    )
    with op.batch_alter_table('model_deployments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_deployments_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_model_deployments_owner_page', ['account_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_model_deployments_team_page', ['team_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('uq_model_deployments_live_name', ['tenant_id', 'name'], unique=True,
                              sqlite_where=sa.text(LIVE_TENANT_MODEL), postgresql_where=sa.text(LIVE_TENANT_MODEL))
        batch_op.create_index('uq_model_deployments_shared_name', ['name'], unique=True,
                              sqlite_where=sa.text(LIVE_SHARED_MODEL), postgresql_where=sa.text(LIVE_SHARED_MODEL))


def downgrade() -> None:
    op.drop_table('model_deployments')
