"""vms and networks: VM templates are static; VMs, VM networks, subnets, firewall rules, VM-network attachments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('vm_networks',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_vm_networks_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_vm_networks_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_vm_networks_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vm_networks')),
    sa.UniqueConstraint('account_id', 'name', name=op.f('uq_vm_networks_account_id'))
    )
    op.create_index('ix_vm_networks_owner_page', 'vm_networks', ['account_id', 'created_at', 'id'], unique=False)
    op.create_index(op.f('ix_vm_networks_team_id'), 'vm_networks', ['team_id'], unique=False)
    op.create_index(op.f('ix_vm_networks_tenant_id'), 'vm_networks', ['tenant_id'], unique=False)
    op.create_table('vm_firewall_rules',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('network_id', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('protocol', sa.String(length=10), nullable=False),
    sa.Column('port_range', sa.String(length=11), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['vm_networks.id'], name=op.f('fk_vm_firewall_rules_network_id_vm_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vm_firewall_rules'))
    )
    op.create_index('ix_vm_firewall_rules_page', 'vm_firewall_rules', ['network_id', 'created_at', 'id'], unique=False)
    op.create_table('vm_subnets',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('network_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('cidr', sa.String(length=64), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['vm_networks.id'], name=op.f('fk_vm_subnets_network_id_vm_networks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vm_subnets')),
    sa.UniqueConstraint('network_id', 'name', name=op.f('uq_vm_subnets_network_id'))
    )
    op.create_index('ix_vm_subnets_page', 'vm_subnets', ['network_id', 'created_at', 'id'], unique=False)
    op.create_table('vms',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('template_id', sa.String(length=40), nullable=False),
    sa.Column('cpu', sa.Integer(), nullable=False),
    sa.Column('memory_gb', sa.Integer(), nullable=False),
    sa.Column('disk_gb', sa.Integer(), nullable=False),
    sa.Column('gpu_tier', sa.String(length=20), nullable=True),
    sa.Column('ssh_key', sa.Text(), nullable=True),
    sa.Column('ssh_key_group_id', sa.String(length=40), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('ssh_host', sa.String(length=255), nullable=True),
    sa.Column('ssh_port', sa.Integer(), nullable=True),
    sa.Column('auto_stop_after_minutes', sa.Integer(), nullable=True),
    sa.Column('auto_stop_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('terminated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_vms_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ssh_key_group_id'], ['ssh_key_groups.id'], name=op.f('fk_vms_ssh_key_group_id_ssh_key_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_vms_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_vms_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vms'))
    )
    op.create_index('ix_vms_live_by_account', 'vms', ['account_id', 'created_at', 'id'], unique=False, sqlite_where=sa.text("status != 'terminated'"), postgresql_where=sa.text("status != 'terminated'"))
    op.create_index('ix_vms_live_by_team', 'vms', ['team_id', 'created_at', 'id'], unique=False, sqlite_where=sa.text("status != 'terminated'"), postgresql_where=sa.text("status != 'terminated'"))
    op.create_index(op.f('ix_vms_status'), 'vms', ['status'], unique=False)
    op.create_index(op.f('ix_vms_team_id'), 'vms', ['team_id'], unique=False)
    op.create_index(op.f('ix_vms_tenant_id'), 'vms', ['tenant_id'], unique=False)
    op.create_index('uq_vms_live_name', 'vms', ['account_id', 'name'], unique=True, sqlite_where=sa.text("status != 'terminated'"), postgresql_where=sa.text("status != 'terminated'"))
    op.create_table('vm_network_attachments',
    sa.Column('vm_id', sa.String(length=40), nullable=False),
    sa.Column('network_id', sa.String(length=40), nullable=False),
    sa.Column('subnet_id', sa.String(length=40), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_id'], ['vm_networks.id'], name=op.f('fk_vm_network_attachments_network_id_vm_networks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subnet_id'], ['vm_subnets.id'], name=op.f('fk_vm_network_attachments_subnet_id_vm_subnets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vm_id'], ['vms.id'], name=op.f('fk_vm_network_attachments_vm_id_vms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('vm_id', 'network_id', name=op.f('pk_vm_network_attachments')),
    sa.UniqueConstraint('subnet_id', 'ip_address', name=op.f('uq_vm_network_attachments_subnet_id'))
    )
    op.create_index(op.f('ix_vm_network_attachments_network_id'), 'vm_network_attachments', ['network_id'], unique=False)
    op.create_index(op.f('ix_vm_network_attachments_subnet_id'), 'vm_network_attachments', ['subnet_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_vm_network_attachments_subnet_id'), table_name='vm_network_attachments')
    op.drop_index(op.f('ix_vm_network_attachments_network_id'), table_name='vm_network_attachments')
    op.drop_table('vm_network_attachments')
    op.drop_index('uq_vms_live_name', table_name='vms', sqlite_where=sa.text("status != 'terminated'"), postgresql_where=sa.text("status != 'terminated'"))
    op.drop_index(op.f('ix_vms_tenant_id'), table_name='vms')
    op.drop_index(op.f('ix_vms_team_id'), table_name='vms')
    op.drop_index(op.f('ix_vms_status'), table_name='vms')
    op.drop_index('ix_vms_live_by_team', table_name='vms', sqlite_where=sa.text("status != 'terminated'"), postgresql_where=sa.text("status != 'terminated'"))
    op.drop_index('ix_vms_live_by_account', table_name='vms', sqlite_where=sa.text("status != 'terminated'"), postgresql_where=sa.text("status != 'terminated'"))
    op.drop_table('vms')
    op.drop_index('ix_vm_subnets_page', table_name='vm_subnets')
    op.drop_table('vm_subnets')
    op.drop_index('ix_vm_firewall_rules_page', table_name='vm_firewall_rules')
    op.drop_table('vm_firewall_rules')
    op.drop_index(op.f('ix_vm_networks_tenant_id'), table_name='vm_networks')
    op.drop_index(op.f('ix_vm_networks_team_id'), table_name='vm_networks')
    op.drop_index('ix_vm_networks_owner_page', table_name='vm_networks')
    op.drop_table('vm_networks')
