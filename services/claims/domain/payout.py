"""The claim's record of each payout it requested, advanced by the payouts service's events.

Events are delivered at least once and may overtake each other, so applying one can mean:
advance the record, ignore it (a duplicate or an event the record has passed), or refuse it
(it contradicts what we already know: paid and failed both; an operator must look).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from services.claims.domain.errors import IllegalTransition, PayoutConflict
from services.claims.domain.payment import PaymentRail
from shared.domain.machine import Rule, StateMachine, fan_in


class PayoutStatus(StrEnum):
    """The payouts service's statuses as the claim records them: its final statuses by their
    own names, so the claim and payouts never disagree on how a payout ended."""

    REQUESTED = "requested"
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # held for approval in payouts, and the approver said no
    EXPIRED = "expired"  # a check nobody cashed, reissued up to the cap (before unclaimed)
    # No check was cashed and none may be reissued: the payee's unclaimed property.
    UNCLAIMED = "unclaimed"
    RETURNED = "returned"


class PayoutEvent(StrEnum):
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    UNCLAIMED = "unclaimed"
    RETURNED = "returned"


# A payout in one of these did not (or no longer) pay: the claim may be paid by a new payout.
DEAD_PAYOUT_STATUSES = frozenset(
    {PayoutStatus.FAILED, PayoutStatus.CANCELLED, PayoutStatus.REJECTED, PayoutStatus.EXPIRED,
     PayoutStatus.UNCLAIMED, PayoutStatus.RETURNED}
)

# ``payouts.payout_cancelled`` announces every end without money; its ``final_status`` says
# which, and the record takes that status, not a generic "cancelled".
_ENDED_WITHOUT_MONEY = {
    PayoutStatus.CANCELLED.value: PayoutEvent.CANCELLED,
    PayoutStatus.REJECTED.value: PayoutEvent.REJECTED,
    PayoutStatus.EXPIRED.value: PayoutEvent.EXPIRED,
    PayoutStatus.UNCLAIMED.value: PayoutEvent.UNCLAIMED,
}


def ended_without_money(final_status: str) -> PayoutEvent:
    """The event a ``payout_cancelled`` with this ``final_status`` is; ``PayoutConflict`` for a
    status we do not know (parked for an operator rather than recorded as something else)."""
    event = _ENDED_WITHOUT_MONEY.get(final_status)
    if event is None:
        raise PayoutConflict(f"payouts reports final status {final_status!r}, which claims does "
                             "not record: an operator must reconcile it")
    return event


_OPEN = (PayoutStatus.REQUESTED, PayoutStatus.SUBMITTED)
PAYOUT_MACHINE: StateMachine[PayoutStatus, PayoutEvent, None] = StateMachine(
    "payout",
    [
        Rule(PayoutStatus.REQUESTED, PayoutEvent.SUBMITTED, PayoutStatus.SUBMITTED),
        *fan_in(_OPEN, PayoutEvent.PAID, PayoutStatus.PAID),
        *fan_in(_OPEN, PayoutEvent.FAILED, PayoutStatus.FAILED),
        *fan_in(_OPEN, PayoutEvent.CANCELLED, PayoutStatus.CANCELLED),
        *fan_in(_OPEN, PayoutEvent.REJECTED, PayoutStatus.REJECTED),
        *fan_in(_OPEN, PayoutEvent.EXPIRED, PayoutStatus.EXPIRED),
        *fan_in(_OPEN, PayoutEvent.UNCLAIMED, PayoutStatus.UNCLAIMED),
        *fan_in((*_OPEN, PayoutStatus.PAID), PayoutEvent.RETURNED, PayoutStatus.RETURNED),
    ],
)

# (status, event) pairs that are news we already have: acknowledge and do nothing.
_ALREADY_KNOWN = frozenset(
    {
        (PayoutStatus.SUBMITTED, PayoutEvent.SUBMITTED),
        (PayoutStatus.PAID, PayoutEvent.SUBMITTED),
        (PayoutStatus.FAILED, PayoutEvent.SUBMITTED),
        (PayoutStatus.PAID, PayoutEvent.PAID),
        (PayoutStatus.FAILED, PayoutEvent.FAILED),
        (PayoutStatus.CANCELLED, PayoutEvent.SUBMITTED),
        (PayoutStatus.CANCELLED, PayoutEvent.CANCELLED),
        (PayoutStatus.REJECTED, PayoutEvent.REJECTED),
        (PayoutStatus.EXPIRED, PayoutEvent.SUBMITTED),
        (PayoutStatus.EXPIRED, PayoutEvent.EXPIRED),
        (PayoutStatus.UNCLAIMED, PayoutEvent.SUBMITTED),
        (PayoutStatus.UNCLAIMED, PayoutEvent.UNCLAIMED),
        (PayoutStatus.RETURNED, PayoutEvent.SUBMITTED),
        (PayoutStatus.RETURNED, PayoutEvent.PAID),  # Paid overtaken by the return
        (PayoutStatus.RETURNED, PayoutEvent.RETURNED),
    }
)


def advance(status: PayoutStatus, event: PayoutEvent) -> PayoutStatus | None:
    """The record's next status, ``None`` if the event is stale, or ``PayoutConflict``."""
    if (status, event) in _ALREADY_KNOWN:
        return None
    try:
        return PAYOUT_MACHINE.fire(status, event, None)
    except IllegalTransition as exc:
        raise PayoutConflict(
            f"payout is {status.value} but the provider reports {event.value}: "
            "an operator must reconcile it"
        ) from exc


def payout_key(claim_id: uuid.UUID, sequence: int) -> str:
    """One key per approval: a redelivered command never pays twice, and a new approval after a
    confirmed failure gets a fresh key (a new payout, not a resend of the failed one)."""
    return f"claim:{claim_id}:payout:{sequence}"


def payout_memo(claim_id: uuid.UUID) -> str:
    """Fits every rail's memo (checks allow 40 characters)."""
    return f"Claim {claim_id.hex[:12].upper()}"


class PayoutRecordState(Protocol):
    """The attributes of the claim's payout record its behaviour reads and writes."""

    payout_key: str
    amount: Decimal
    rail: PaymentRail
    status: PayoutStatus
    updated_at: datetime
    payout_id: str | None
    attempt_id: str | None
    provider_reference: str | None
    failure_reason: str | None


class ClaimPayout:
    """The payout record's behaviour (a mixin of methods only, as ``Claim``)."""

    def advance(self: PayoutRecordState, event: PayoutEvent, *, payout_id: str,
                attempt_id: str | None, at: datetime, failure_reason: str | None = None,
                provider_reference: str | None = None) -> bool:
        """Take what the payouts service reported; False if the news is stale (nothing
        changes), ``PayoutConflict`` if it contradicts the record."""
        target = advance(self.status, event)
        if target is None:
            return False
        self.status, self.updated_at = target, at
        # Annotated where first written: mypy takes a mixin's writes as its own attributes.
        self.payout_id: str | None = payout_id
        self.attempt_id = attempt_id or self.attempt_id
        if failure_reason is not None:
            self.failure_reason: str | None = failure_reason[:500]
        else:
            self.provider_reference: str | None = (provider_reference
                                                   or self.provider_reference)
        return True
