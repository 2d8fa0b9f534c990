"""What each payout rail's provider accepts per payment, as published (see ``providers/``).

Both sides read the same table: claims refuses a payment option the rail cannot carry when the
option is chosen (the payee can still pick another rail), and payouts refuses it again before
any money moves, because a command can come from anywhere that can sign one.
"""

from __future__ import annotations

from decimal import Decimal

# J.P. Morgan Global Payments, payment type ZELLE: 0.01 to 100,000.00 USD per payment.
ZELLE_MAX = Decimal("100000.00")
# The check printer's (Lob) largest check; also the platform's largest amount (shared.money).
CHECK_MAX = Decimal("999999.99")

# Keyed by the rail's wire name, which the claims and payouts ``Rail`` enums share. Concourse
# publishes no per-payment limit, so only the platform's own ceiling applies to it.
_RAIL_MAXIMUM: dict[str, Decimal] = {"zelle": ZELLE_MAX, "check": CHECK_MAX}


def rail_maximum(rail: str) -> Decimal | None:
    """The most one payment on ``rail`` may carry, or None when the rail sets no limit."""
    return _RAIL_MAXIMUM.get(rail)


def exceeds_rail_maximum(rail: str, amount: Decimal) -> bool:
    maximum = rail_maximum(rail)
    return maximum is not None and amount > maximum
