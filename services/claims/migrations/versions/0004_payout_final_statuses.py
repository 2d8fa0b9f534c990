"""claim payouts record the payouts service's own final status: rejected and expired as well

A payout rejected by its approver, or a check nobody cashed (expired), was recorded as cancelled;
the claim now records the payouts service's own final status, and like every dead payout these
do not block a new one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 19:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = "'requested', 'submitted', 'paid', 'failed', 'cancelled', 'returned'"
_DEAD = "'failed', 'cancelled', 'returned'"
_NEW = "'rejected', 'expired'"


def upgrade() -> None:
    _replace_check(f"status IN ({_STATUSES}, {_NEW})")
    _replace_live_index(f"status NOT IN ({_DEAD}, {_NEW})")


def downgrade() -> None:
    # Both ended without money, which is what cancelled meant before.
    op.execute("UPDATE claim_payouts SET status = 'cancelled' "
               "WHERE status IN ('rejected', 'expired')")
    _replace_live_index(f"status NOT IN ({_DEAD})")
    _replace_check(f"status IN ({_STATUSES})")


def _replace_check(condition: str) -> None:
    name = op.f('ck_claim_payouts_payoutstatus')
    op.drop_constraint(name, 'claim_payouts', type_='check')
    op.create_check_constraint(name, 'claim_payouts', condition)


def _replace_live_index(predicate: str) -> None:
    op.drop_index('uq_claim_payouts_live_per_claim', table_name='claim_payouts')
    op.create_index('uq_claim_payouts_live_per_claim', 'claim_payouts', ['claim_id'],
                    unique=True, postgresql_where=sa.text(predicate))
