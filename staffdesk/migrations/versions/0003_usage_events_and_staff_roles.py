"""usage events and their monthly sums, staff roles, when a ticket finished"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New tables only, and two columns with a value for the rows there are: nothing to carry over. Counting starts
    # with this version; the monthly sums are kept in step with the events from their first row.
    op.create_table('usage_month',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('matter', sa.String(length=16), nullable=False),
    sa.Column('institution', sa.String(length=10), nullable=False),
    sa.Column('service_id', sa.String(length=120), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'kind', 'matter', 'institution', 'service_id', 'channel', 'language', name=op.f('pk_usage_month'))
    )
    op.create_table('usage_month_duration',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('duration_s', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'kind', 'duration_s', name=op.f('pk_usage_month_duration'))
    )
    op.create_table('usage_month_centre',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('centre_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('matter', sa.String(length=16), nullable=False),
    sa.Column('events', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_usage_month_centre_centre_id')),
    sa.PrimaryKeyConstraint('month', 'centre_id', 'kind', 'matter', name=op.f('pk_usage_month_centre'))
    )
    op.create_table('usage_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('desk', sa.String(length=60), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('matter', sa.String(length=16), nullable=False),
    sa.Column('institution', sa.String(length=10), nullable=False),
    sa.Column('service_id', sa.String(length=120), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_usage_event_centre_id')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk.id'], name=op.f('fk_usage_event_kiosk_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_event')),
    sa.UniqueConstraint('kiosk_id', 'key', name='uq_usage_event_kiosk_key')
    )
    with op.batch_alter_table('usage_event', schema=None) as batch_op:
        batch_op.create_index('ix_usage_event_centre_day', ['centre_id', 'day'], unique=False)
        batch_op.create_index('ix_usage_event_day', ['day'], unique=False)

    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('staff', schema=None) as batch_op:
        # Everybody already there stays ordinary staff: managers are named with 'staffdesk add-staff --role'.
        batch_op.add_column(sa.Column('role', sa.String(length=20), server_default='staff', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('role')

    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_column('finished_at')

    with op.batch_alter_table('usage_event', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_event_day')
        batch_op.drop_index('ix_usage_event_centre_day')

    op.drop_table('usage_event')
    op.drop_table('usage_month_centre')
    op.drop_table('usage_month_duration')
    op.drop_table('usage_month')
