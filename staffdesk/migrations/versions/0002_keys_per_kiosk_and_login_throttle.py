"""idempotency keys unique per kiosk; login failures throttled per address and name"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Every row already carries its kiosk, and keys were unique across all kiosks: the narrower constraint holds for
# the rows there are, so they are kept as they are.
KEYED_TABLES = ('help_call', 'queue_ticket', 'video_booking', 'alert')


def upgrade() -> None:
    for table in KEYED_TABLES:
        # Batch mode: SQLite copies the table, rows included; PostgreSQL alters it in place.
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_idempotency_key', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_kiosk_key', ['kiosk_id', 'idempotency_key'])

    # The old per-account and per-address failure rows only ever lived for the login window: nothing to carry over.
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_subject_hash'))
        batch_op.drop_index(batch_op.f('ix_login_failure_at'))
    op.drop_table('login_failure')
    op.create_table('login_throttle',
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.Column('account_hash', sa.String(length=64), nullable=False),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('subject_hash', name=op.f('pk_login_throttle'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_account_hash'), ['account_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_throttle_client_hash'), ['client_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_throttle_last_at'), ['last_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_last_at'))
        batch_op.drop_index(batch_op.f('ix_login_throttle_client_hash'))
        batch_op.drop_index(batch_op.f('ix_login_throttle_account_hash'))
    op.drop_table('login_throttle')
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_subject_hash'), ['subject_hash'], unique=False)
    # Fails if two kiosks have since used one key: then there is no way back without losing one of the rows.
    for table in KEYED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_kiosk_key', type_='unique')
            batch_op.create_unique_constraint(f'uq_{table}_idempotency_key', ['idempotency_key'])
