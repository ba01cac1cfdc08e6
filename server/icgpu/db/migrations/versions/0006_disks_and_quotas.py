"""disks and quotas: VM disks; per-tenant GPU limits and usage

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LIVE = "status != 'deleted'"


def upgrade() -> None:
    op.create_table('vm_disks',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('size_gb', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('vm_id', sa.String(length=40), nullable=True),
    sa.Column('attached_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_vm_disks_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_vm_disks_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_vm_disks_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vm_disks'))
    )
    with op.batch_alter_table('vm_disks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vm_disks_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vm_disks_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vm_disks_vm_id'), ['vm_id'], unique=False)
        batch_op.create_index('uq_vm_disks_live_name', ['account_id', 'name'], unique=True,
                              sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
        batch_op.create_index('ix_vm_disks_live_by_account', ['account_id', 'created_at', 'id'], unique=False,
                              sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
        batch_op.create_index('ix_vm_disks_live_by_team', ['team_id', 'created_at', 'id'], unique=False,
                              sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gpu_limit', sa.Integer(), nullable=True))

    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_stop_after_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('auto_stop_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('auto_stop_at')
        batch_op.drop_column('auto_stop_after_minutes')

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('gpu_limit')

    with op.batch_alter_table('vm_disks', schema=None) as batch_op:
        batch_op.drop_index('ix_vm_disks_live_by_team')
        batch_op.drop_index('ix_vm_disks_live_by_account')
        batch_op.drop_index('uq_vm_disks_live_name')
        batch_op.drop_index(batch_op.f('ix_vm_disks_vm_id'))
        batch_op.drop_index(batch_op.f('ix_vm_disks_team_id'))
        batch_op.drop_index(batch_op.f('ix_vm_disks_tenant_id'))

    op.drop_table('vm_disks')
