"""check numbers we own and each check attempt's issue facts (number, send date, stop payment)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('check_numbers',
    sa.Column('account_number', sa.String(length=17), nullable=False),
    sa.Column('last_number', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('account_number')
    )
    op.create_table('check_issues',
    sa.Column('attempt_id', sa.String(length=16), nullable=False),
    sa.Column('account_number', sa.String(length=17), nullable=False),
    sa.Column('check_number', sa.BigInteger(), nullable=False),
    sa.Column('send_date', sa.Date(), nullable=False),
    sa.Column('stop_id', sa.String(length=64), nullable=True),
    sa.Column('stop_expires_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
              nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['payout_attempts.id'], ),
    sa.PrimaryKeyConstraint('attempt_id'),
    sa.UniqueConstraint('account_number', 'check_number', name='uq_check_issues_number')
    )


def downgrade() -> None:
    op.drop_table('check_issues')
    op.drop_table('check_numbers')
