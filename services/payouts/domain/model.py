"""The payout and its attempts as plain values: what is owed, to whom, on which rail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shared.money import Money


class Rail(StrEnum):
    CONCOURSE = "concourse"
    CHECK = "check"
    ZELLE = "zelle"


class PayoutStatus(StrEnum):
    RECEIVED = "received"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    UNKNOWN = "unknown"  # sent, but the answer never came: resolved by a status query
    PAID = "paid"
    FAILED = "failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # held for approval, and the approver said no
    EXPIRED = "expired"  # before unclaimed existed: a check nobody cashed, at the cap
    # No check of it was ever cashed, and no more may be issued (reissue cap or the first
    # check's age): the money is the payee's unclaimed property, to be escheated.
    UNCLAIMED = "unclaimed"


# Reached by no transition any more, kept for the rows (and claims' records) written before:
# ``expired`` is what ``unclaimed`` was called.
RETIRED_PAYOUT_STATUSES = frozenset({PayoutStatus.EXPIRED})

# No provider event can move a payout out of these (a return after payment is the one exception,
# and it is a transition of its own in the table).
FINAL_PAYOUT_STATUSES = frozenset(
    {
        PayoutStatus.PAID,
        PayoutStatus.FAILED,
        PayoutStatus.RETURNED,
        PayoutStatus.CANCELLED,
        PayoutStatus.REJECTED,
        PayoutStatus.EXPIRED,
        PayoutStatus.UNCLAIMED,
    }
)


class AttemptStatus(StrEnum):
    SENDING = "sending"  # committed before the provider call; the call may or may not have landed
    # The call never reached the provider or was refused before it could act (connection refused,
    # 429, 503): nothing exists there. The dispatcher sends it again, same id, after a backoff;
    # until then the payout may still be cancelled.
    UNSENT = "unsent"
    SUBMITTED = "submitted"
    UNKNOWN = "unknown"
    PAID = "paid"
    FAILED = "failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"  # voided or stopped at the provider: this attempt never pays


# An attempt in one of these may exist at the provider: no second attempt while one does, and
# no cancel (only the provider's answer can end the payout then). ``unsent`` is not one of them.
ACTIVE_ATTEMPT_STATUSES = frozenset(
    {AttemptStatus.SENDING, AttemptStatus.SUBMITTED, AttemptStatus.UNKNOWN}
)


@dataclass(frozen=True, slots=True)
class MailingAddress:
    line1: str
    city: str
    state: str
    zip: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Payee:
    kind: str
    name: str
    email: str | None = None
    mobile: str | None = None
    address: MailingAddress | None = None
    zelle_token: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutDetails:
    """What the payout *is*; its status lives beside it and changes only through the table."""

    payout_key: str
    amount: Money
    rail: Rail
    payee: Payee
    memo: str | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    status: PayoutStatus = PayoutStatus.RECEIVED
    created_at: datetime | None = None
