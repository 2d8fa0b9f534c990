"""the card/ACH gateway's payment methods, charges, refunds and idempotency keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 14:21:04.139943
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('gateway_idempotency_keys',
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('result_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('operation', 'key')
    )
    op.create_table('gateway_payment_methods',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=8), nullable=False),
    sa.Column('last4', sa.String(length=4), nullable=False),
    sa.Column('decline_reason', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('token')
    )
    op.create_table('gateway_charges',
    sa.Column('seq', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payment_method', sa.String(length=32), nullable=False),
    sa.Column('decline_reason', sa.String(length=32), nullable=True),
    sa.Column('refunded', sa.Numeric(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_method'], ['gateway_payment_methods.token']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('seq')
    )
    op.create_table('gateway_refunds',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('charge_id', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Numeric(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['charge_id'], ['gateway_charges.id']),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('gateway_refunds')
    op.drop_table('gateway_charges')
    op.drop_table('gateway_payment_methods')
    op.drop_table('gateway_idempotency_keys')
