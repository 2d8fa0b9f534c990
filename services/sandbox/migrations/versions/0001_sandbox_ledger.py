"""the sandbox's payments, bank records, payee behaviours and clock

Revision ID: 0001
Revises:
Create Date: 2026-12-07 14:11:45.437228
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('check_issues',
    sa.Column('account_number', sa.String(length=17), nullable=False),
    sa.Column('check_number', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.Numeric(), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('payee_name', sa.String(length=200), nullable=False),
    sa.Column('void', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('account_number', 'check_number')
    )
    op.create_table('exception_items',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('check_number', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.Numeric(), nullable=False),
    sa.Column('presented_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('payee_behaviours',
    sa.Column('identifier_key', sa.String(length=200), nullable=False),
    sa.Column('behaviour', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.PrimaryKeyConstraint('identifier_key')
    )
    op.create_table('payments',
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('end_to_end_id', sa.String(length=128), nullable=False),
    sa.Column('payment_id', sa.String(length=64), nullable=False),
    sa.Column('rail', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Numeric(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payee_name', sa.String(length=200), nullable=False),
    sa.Column('payee_email', sa.String(length=320), nullable=False),
    sa.Column('payee_mobile', sa.String(length=64), nullable=True),
    sa.Column('payee_address', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('callback_url', sa.Text(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mailed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('reason_code', sa.String(length=8), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('check_number', sa.BigInteger(), nullable=True),
    sa.Column('lob', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('steps', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('next_step_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('end_to_end_id'),
    sa.UniqueConstraint('seq')
    )
    op.create_index('ix_payments_check_number', 'payments', ['check_number'], unique=False, postgresql_where=sa.text('check_number IS NOT NULL'))
    op.create_index('ix_payments_next_step_at', 'payments', ['next_step_at'], unique=False, postgresql_where=sa.text('next_step_at IS NOT NULL'))
    op.create_index('ix_payments_payment_id', 'payments', ['payment_id'], unique=False)
    op.create_table('sandbox_clock',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offset_s', sa.Float(), nullable=False),
    sa.CheckConstraint('id = 1', name='one_clock'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('stop_payments',
    sa.Column('account_number', sa.String(length=17), nullable=False),
    sa.Column('check_number', sa.BigInteger(), nullable=False),
    sa.Column('stop_id', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('account_number', 'check_number'),
    sa.UniqueConstraint('stop_id')
    )


def downgrade() -> None:
    op.drop_table('stop_payments')
    op.drop_table('sandbox_clock')
    op.drop_index('ix_payments_payment_id', table_name='payments')
    op.drop_index('ix_payments_next_step_at', table_name='payments', postgresql_where=sa.text('next_step_at IS NOT NULL'))
    op.drop_index('ix_payments_check_number', table_name='payments', postgresql_where=sa.text('check_number IS NOT NULL'))
    op.drop_table('payments')
    op.drop_table('payee_behaviours')
    op.drop_table('exception_items')
    op.drop_table('check_issues')
