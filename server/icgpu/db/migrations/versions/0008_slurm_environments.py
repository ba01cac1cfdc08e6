"""slurm environments: Slurm environments and their node reservations

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

LIVE = "status != 'terminated'"


def upgrade() -> None:
    op.create_table('slurm_environments',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('gpu_tier', sa.String(length=20), nullable=False),
    sa.Column('max_nodes', sa.Integer(), nullable=False),
    sa.Column('gpu_per_node', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('gpus_placed', sa.Integer(), nullable=False),
    sa.Column('ssh_host', sa.String(length=255), nullable=True),
    sa.Column('ssh_port', sa.Integer(), nullable=True),
    sa.Column('ssh_user', sa.String(length=32), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('terminated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_slurm_environments_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_slurm_environments_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_slurm_environments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slurm_environments'))
    )
    with op.batch_alter_table('slurm_environments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slurm_environments_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_slurm_environments_status'), ['status'], unique=False)
        batch_op.create_index('ix_slurm_environments_owner_page', ['account_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_slurm_environments_team_page', ['team_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('uq_slurm_environments_live_name', ['account_id', 'name'], unique=True,
                              sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_table('slurm_environments')
