"""the desk's first schema"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('centre',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre')),
    sa.UniqueConstraint('name', name=op.f('uq_centre_name'))
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_subject_hash'), ['subject_hash'], unique=False)

    op.create_table('kiosk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_kiosk_centre_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk')),
    sa.UniqueConstraint('name', name=op.f('uq_kiosk_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kiosk_token_hash'))
    )
    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_centre_id'), ['centre_id'], unique=False)

    op.create_table('queue_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('letter', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_queue_service_centre_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_service')),
    sa.UniqueConstraint('centre_id', 'letter', name='uq_queue_service_centre_letter'),
    sa.UniqueConstraint('centre_id', 'service_id', name='uq_queue_service_centre_service')
    )
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_staff_centre_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('name', name=op.f('uq_staff_name'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_centre_id'), ['centre_id'], unique=False)

    op.create_table('video_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('institution', sa.String(length=10), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_video_slot_centre_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_slot'))
    )
    with op.batch_alter_table('video_slot', schema=None) as batch_op:
        batch_op.create_index('ix_video_slot_centre_starts', ['centre_id', 'starts_at'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk.id'], name=op.f('fk_alert_kiosk_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_alert_idempotency_key'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_kiosk_id'), ['kiosk_id'], unique=False)

    op.create_table('help_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('screen', sa.String(length=80), nullable=False),
    sa.Column('step', sa.String(length=80), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['staff.id'], name=op.f('fk_help_call_acknowledged_by')),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_help_call_centre_id')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk.id'], name=op.f('fk_help_call_kiosk_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_call')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_help_call_idempotency_key'))
    )
    with op.batch_alter_table('help_call', schema=None) as batch_op:
        batch_op.create_index('ix_help_call_centre_state', ['centre_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_call_kiosk_id'), ['kiosk_id'], unique=False)

    op.create_table('kiosk_health',
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('last_heartbeat', sa.DateTime(), nullable=False),
    sa.Column('printer_paper', sa.String(length=10), nullable=False),
    sa.Column('printer_toner', sa.String(length=10), nullable=False),
    sa.Column('receipt_paper', sa.String(length=10), nullable=False),
    sa.Column('reader_present', sa.Boolean(), nullable=True),
    sa.Column('scanner_present', sa.Boolean(), nullable=True),
    sa.Column('screen', sa.String(length=80), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk.id'], name=op.f('fk_kiosk_health_kiosk_id')),
    sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_kiosk_health'))
    )
    op.create_table('queue_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue_service_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['queue_service_id'], ['queue_service.id'], name=op.f('fk_queue_counter_queue_service_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_counter')),
    sa.UniqueConstraint('queue_service_id', 'day', name='uq_queue_counter_service_day')
    )
    op.create_table('queue_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('queue_service_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('from_kiosk_series', sa.Boolean(), nullable=False),
    sa.Column('priority', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('desk', sa.String(length=60), nullable=False),
    sa.Column('follow_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('called_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk.id'], name=op.f('fk_queue_ticket_kiosk_id')),
    sa.ForeignKeyConstraint(['queue_service_id'], ['queue_service.id'], name=op.f('fk_queue_ticket_queue_service_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_ticket')),
    sa.UniqueConstraint('follow_hash', name=op.f('uq_queue_ticket_follow_hash')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_queue_ticket_idempotency_key')),
    sa.UniqueConstraint('queue_service_id', 'day', 'sequence', name='uq_queue_ticket_series')
    )
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.create_index('ix_queue_ticket_service_day_state', ['queue_service_id', 'day', 'state'], unique=False)

    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('last_used', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_session_staff_id'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_session_token_hash'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_staff_id'), ['staff_id'], unique=False)

    op.create_table('video_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk.id'], name=op.f('fk_video_booking_kiosk_id')),
    sa.ForeignKeyConstraint(['slot_id'], ['video_slot.id'], name=op.f('fk_video_booking_slot_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_booking')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_video_booking_idempotency_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_video_booking_reference')),
    sa.UniqueConstraint('slot_id', name=op.f('uq_video_booking_slot_id'))
    )


def downgrade() -> None:
    op.drop_table('video_booking')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_staff_id'))

    op.drop_table('staff_session')
    with op.batch_alter_table('queue_ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_queue_ticket_service_day_state')

    op.drop_table('queue_ticket')
    op.drop_table('queue_counter')
    op.drop_table('kiosk_health')
    with op.batch_alter_table('help_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_call_kiosk_id'))
        batch_op.drop_index('ix_help_call_centre_state')

    op.drop_table('help_call')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_kiosk_id'))

    op.drop_table('alert')
    with op.batch_alter_table('video_slot', schema=None) as batch_op:
        batch_op.drop_index('ix_video_slot_centre_starts')

    op.drop_table('video_slot')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_centre_id'))

    op.drop_table('staff')
    op.drop_table('queue_service')
    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_centre_id'))

    op.drop_table('kiosk')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_subject_hash'))
        batch_op.drop_index(batch_op.f('ix_login_failure_at'))

    op.drop_table('login_failure')
    op.drop_table('centre')
