"""Rail rules a payout must meet before any money moves, and the (future) approval rules."""

from __future__ import annotations

from services.payouts.domain.model import Payout, Rail
from shared.payees import is_placeholder_email

SUPPORTED_RAILS = frozenset({Rail.CONCOURSE})

def validate_for_rail(payout: Payout) -> list[str]:
    """Why the payout cannot be paid on its rail; empty when it can."""
    if payout.rail not in SUPPORTED_RAILS:
        return [f"rail {payout.rail.value} is not available yet"]
    errors: list[str] = []
    if payout.amount.is_zero():
        errors.append("amount must be greater than zero")
    if payout.rail is Rail.CONCOURSE and is_placeholder_email(payout.payee.email):
        errors.append("Concourse needs the payee's real email address; it is missing or a "
                      "placeholder")
    return errors


def needs_approval(payout: Payout) -> list[str]:
    """Why a person must approve this payout before it is sent; empty: no rule applies.

    Approval rules (amount thresholds, payee changes, ...) arrive with the approvals issue; the
    claim was already approved by Support Services before the request was sent.
    """
    del payout
    return []
