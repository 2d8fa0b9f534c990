"""J.P. Morgan's payment statuses (``CoreStatus.status``, the callbacks' ``paymentStatus``) as
the rail-neutral observations of the payout lifecycle. Total over the specification's enum
(plus WAREHOUSED, which J.P. Morgan documents for future-dated items): no status is left
unreadable, which tests/unit/payouts/test_jpm_payments.py checks against the spec itself."""

from __future__ import annotations

from services.payouts.adapters.provider_http import ProviderProtocolError
from services.payouts.domain.outcomes import Observation

OBSERVATIONS: dict[str, Observation] = {
    "PENDING": Observation.PENDING,
    # US RTP/Zelle: accepted by the network, not yet posted to the creditor's account.
    "PENDING_POSTING": Observation.PENDING,
    # A future-dated item held until its execution date: the bank has it, nothing moved yet.
    "WAREHOUSED": Observation.PENDING,
    "COMPLETED": Observation.COMPLETED,
    # Hong Kong's extra step after COMPLETED: still the same money, paid once.
    "COMPLETED_CREDITED": Observation.COMPLETED,
    "REJECTED": Observation.REJECTED,
    "RETURNED": Observation.RETURNED,
    # Held for a sanctions issue: the payment will not move; it ends the attempt unpaid.
    "BLOCKED": Observation.REJECTED,
}


def observe(status: str) -> Observation:
    observation = OBSERVATIONS.get(status)
    if observation is None:
        raise ProviderProtocolError(f"unknown J.P. Morgan payment status {status!r}")
    return observation
