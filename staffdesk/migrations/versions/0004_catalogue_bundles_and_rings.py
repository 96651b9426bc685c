"""catalogue bundles carried to the kiosks, the pilot ring, each kiosk's bundle, each centre's settings"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fleet_bundle',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('envelope', sa.LargeBinary(), nullable=False),
    sa.Column('keyid', sa.String(length=16), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('ring', sa.String(length=10), server_default='', nullable=False),
    sa.Column('ring_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by'], ['staff.id'], name=op.f('fk_fleet_bundle_uploaded_by')),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_fleet_bundle'))
    )
    op.create_index(op.f('ix_fleet_bundle_ring'), 'fleet_bundle', ['ring'], unique=False)
    # Existing centres are not in the pilot ring and have set nothing; existing kiosks have taken no bundle yet.
    # Plain ADD COLUMN, which SQLite does in place: a batch would copy `centre`, which every other table refers to.
    op.add_column('centre', sa.Column('pilot', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('centre', sa.Column('settings_json', sa.Text(), server_default='{}', nullable=False))
    op.add_column('centre', sa.Column('settings_revision', sa.Integer(), server_default='0', nullable=False))
    op.add_column('kiosk_health', sa.Column('bundle_version', sa.Integer(), nullable=True))
    op.add_column('kiosk_health', sa.Column('bundle_checked', sa.DateTime(), nullable=True))
    op.add_column('kiosk_health', sa.Column('bundle_refused', sa.String(length=300), server_default='',
                                            nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('kiosk_health') as batch:
        batch.drop_column('bundle_refused')
        batch.drop_column('bundle_checked')
        batch.drop_column('bundle_version')
    with op.batch_alter_table('centre') as batch:
        batch.drop_column('settings_revision')
        batch.drop_column('settings_json')
        batch.drop_column('pilot')
    op.drop_index(op.f('ix_fleet_bundle_ring'), table_name='fleet_bundle')
    op.drop_table('fleet_bundle')
