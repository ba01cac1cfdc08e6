"""teams, ssh keys and key groups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('teams',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=40), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_teams_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_teams_tenant_id'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('ssh_key_groups',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_ssh_key_groups_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ssh_key_groups_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ssh_key_groups')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_ssh_key_groups_account_id'))
    )
    op.create_table('ssh_keys',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('key_type', sa.String(length=40), nullable=False),
    sa.Column('bits', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=60), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_ssh_keys_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_ssh_keys_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ssh_keys')),
    sa.UniqueConstraint('tenant_id', 'fingerprint', name=op.f('uq_ssh_keys_tenant_id'))
    )
    with op.batch_alter_table('ssh_keys', schema=None) as batch_op:
        batch_op.create_index('ix_ssh_keys_owner_page', ['account_id', 'created_at', 'id'], unique=False)

    op.create_table('team_members',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_team_members_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
    sa.UniqueConstraint('team_id', 'account_id', name=op.f('uq_team_members_team_id'))
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_members_team_id'), ['team_id'], unique=False)

    op.create_table('ssh_key_group_members',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('ssh_key_id', sa.String(length=40), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['ssh_key_groups.id'], name=op.f('fk_ssh_key_group_members_group_id_ssh_key_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ssh_key_id'], ['ssh_keys.id'], name=op.f('fk_ssh_key_group_members_ssh_key_id_ssh_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'ssh_key_id', name=op.f('pk_ssh_key_group_members'))
    )
    with op.batch_alter_table('ssh_key_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ssh_key_group_members_ssh_key_id'), ['ssh_key_id'], unique=False)

    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_announced_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_keys_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.String(length=40), nullable=True))

    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ssh_key_group_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('team_id', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_instances_team_id'), ['team_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_instances_team_id_teams'), 'teams', ['team_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_instances_ssh_key_group_id_ssh_key_groups'), 'ssh_key_groups', ['ssh_key_group_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_instances_ssh_key_group_id_ssh_key_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_instances_team_id_teams'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_instances_team_id'))
        batch_op.drop_column('team_id')
        batch_op.drop_column('ssh_key_group_id')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('team_id')

    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_expires_at'))
        batch_op.drop_column('expiry_announced_at')

    with op.batch_alter_table('ssh_key_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ssh_key_group_members_ssh_key_id'))

    op.drop_table('ssh_key_group_members')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_team_id'))
        batch_op.drop_index(batch_op.f('ix_team_members_account_id'))

    op.drop_table('team_members')
    with op.batch_alter_table('ssh_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_ssh_keys_owner_page')

    op.drop_table('ssh_keys')
    op.drop_table('ssh_key_groups')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_tenant_id'))

    op.drop_table('teams')
