"""functions: GPU functions and their runs

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

LIVE_FUNCTION = "status != 'deleted'"


def upgrade() -> None:
    op.create_table('functions',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('image', sa.String(length=512), nullable=False),
    sa.Column('entrypoint', sa.Text(), nullable=False),
    sa.Column('gpu_tier', sa.String(length=20), nullable=False),
    sa.Column('timeout_seconds', sa.Integer(), nullable=False),
    sa.Column('env_vars', sa.JSON(), nullable=False),
    sa.Column('secret_env_names', sa.JSON(), nullable=False),
    sa.Column('secret_env_blob', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_functions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_functions_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_functions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_functions'))
    )
    with op.batch_alter_table('functions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_functions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_functions_owner_page', ['account_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_functions_team_page', ['team_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('uq_functions_live_name', ['account_id', 'name'], unique=True,
                              sqlite_where=sa.text(LIVE_FUNCTION), postgresql_where=sa.text(LIVE_FUNCTION))

    op.create_table('function_runs',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('function_id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('input', sa.JSON(), nullable=False),
    sa.Column('output', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('logs', sa.Text(), nullable=True),
    sa.Column('exit_code', sa.Integer(), nullable=True),
    sa.Column('gpu_tier', sa.String(length=20), nullable=False),
    sa.Column('timeout_seconds', sa.Integer(), nullable=False),
    sa.Column('price_per_hour', sa.Float(), nullable=False),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.Column('cost', sa.Float(), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_function_runs_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['function_id'], ['functions.id'], name=op.f('fk_function_runs_function_id_functions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_function_runs_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_function_runs'))
    )
    with op.batch_alter_table('function_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_function_runs_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_function_runs_status'), ['status'], unique=False)
        batch_op.create_index('ix_function_runs_page', ['function_id', 'created_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('function_runs')
    op.drop_table('functions')
