"""a partial index for the dispatcher's scan of approved payouts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_payouts_dispatchable', 'payouts', ['created_at'], unique=False,
                    postgresql_where=sa.text("status = 'approved'"))


def downgrade() -> None:
    op.drop_index('ix_payouts_dispatchable', table_name='payouts',
                  postgresql_where=sa.text("status = 'approved'"))
