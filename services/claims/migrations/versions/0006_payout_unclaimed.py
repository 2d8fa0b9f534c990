"""claim payouts record unclaimed: a check payout that no check paid and none may be reissued

The payouts service ends such a payout ``unclaimed`` (the payee's unclaimed property, to be
escheated) instead of ``expired``; the claim records it as it is, and like every dead payout it
does not block a new one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES = ("'requested', 'submitted', 'paid', 'failed', 'cancelled', 'returned', 'rejected', "
             "'expired'")
_DEAD = "'failed', 'cancelled', 'rejected', 'expired'"


def upgrade() -> None:
    _replace_check(f"status IN ({_STATUSES}, 'unclaimed')")
    _replace_live_index(f"status NOT IN ({_DEAD}, 'unclaimed', 'returned')")


def downgrade() -> None:
    # What the payouts service called the same end before unclaimed existed.
    op.execute("UPDATE claim_payouts SET status = 'expired' WHERE status = 'unclaimed'")
    _replace_live_index(f"status NOT IN ({_DEAD}, 'returned')")
    _replace_check(f"status IN ({_STATUSES})")


def _replace_check(condition: str) -> None:
    name = op.f('ck_claim_payouts_payoutstatus')
    op.drop_constraint(name, 'claim_payouts', type_='check')
    op.create_check_constraint(name, 'claim_payouts', condition)


def _replace_live_index(predicate: str) -> None:
    op.drop_index('uq_claim_payouts_live_per_claim', table_name='claim_payouts')
    op.create_index('uq_claim_payouts_live_per_claim', 'claim_payouts', ['claim_id'],
                    unique=True, postgresql_where=sa.text(predicate))
