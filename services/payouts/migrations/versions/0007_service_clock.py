"""the service clock: the offset every payouts process adds to the wall clock

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:50:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No row: no offset. The first POST /v1/ops/clock inserts it (never in production).
    op.create_table('service_clock',
    sa.Column('id', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('offset_seconds', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name='one_row'),
    sa.CheckConstraint('offset_seconds >= 0', name='forward_only'),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('service_clock')
