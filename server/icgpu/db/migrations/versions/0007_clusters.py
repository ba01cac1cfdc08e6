"""clusters: virtual Kubernetes clusters and their credentials

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import icgpu.db.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NAME_HELD = "status NOT IN ('deleting', 'terminated')"
LISTED = "status != 'terminated'"


def upgrade() -> None:
    op.create_table('clusters',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.String(length=40), nullable=False),
    sa.Column('account_id', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('server_url', sa.String(length=255), nullable=True),
    sa.Column('ca_cert_pem', sa.Text(), nullable=False),
    sa.Column('ca_key_pem', sa.Text(), nullable=True),
    sa.Column('token_salt', sa.String(length=64), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('terminated_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_clusters_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_clusters_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_clusters_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_clusters_token_hash'))
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clusters_status'), ['status'], unique=False)
        batch_op.create_index('uq_clusters_live_name', ['account_id', 'name'], unique=True,
                              sqlite_where=sa.text(NAME_HELD), postgresql_where=sa.text(NAME_HELD))
        batch_op.create_index('ix_clusters_listed_by_account', ['account_id', 'created_at', 'id'], unique=False,
                              sqlite_where=sa.text(LISTED), postgresql_where=sa.text(LISTED))
        batch_op.create_index('ix_clusters_listed_by_team', ['team_id', 'created_at', 'id'], unique=False,
                              sqlite_where=sa.text(LISTED), postgresql_where=sa.text(LISTED))

    op.create_table('sim_clusters',
    sa.Column('cluster_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('server_url', sa.String(length=255), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('ready_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('gone_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', icgpu.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('cluster_id', name=op.f('pk_sim_clusters'))
    )


def downgrade() -> None:
    op.drop_table('sim_clusters')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index('ix_clusters_listed_by_team')
        batch_op.drop_index('ix_clusters_listed_by_account')
        batch_op.drop_index('uq_clusters_live_name')
        batch_op.drop_index(batch_op.f('ix_clusters_status'))
        batch_op.drop_index(batch_op.f('ix_clusters_tenant_id'))
    op.drop_table('clusters')
