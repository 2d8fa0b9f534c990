"""one unsent attempt per payout, indexed for the dispatcher's scan

An attempt that never reached the provider is ``unsent`` until the dispatcher sends it again
(same id). The dispatcher's scan looks each approved payout's unsent attempt up by this index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('uq_payout_attempts_one_unsent', 'payout_attempts', ['payout_id'],
                    unique=True, postgresql_where=sa.text("status = 'unsent'"))


def downgrade() -> None:
    op.drop_index('uq_payout_attempts_one_unsent', table_name='payout_attempts',
                  postgresql_where=sa.text("status = 'unsent'"))
