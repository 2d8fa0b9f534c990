"""What a provider observation does to an attempt and its payout, decided without I/O.

Observations arrive from three places (the dispatcher's answer, status queries, signed
callbacks), late, twice, or out of order. The caller holds the payout's row lock and passes the
current statuses; ``resolve`` answers what changes and which event (if any) to emit. An
observation the attempt has already moved past is ignored, so no sequence of observations can
emit ``paid`` twice or both ``paid`` and ``failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.payouts.domain.model import AttemptStatus as At
from services.payouts.domain.model import PayoutStatus
from services.payouts.domain.transitions import PayoutAction, is_legal, next_status


class Observation(StrEnum):
    """A rail-neutral reading of what the provider told us."""

    OUTCOME_UNKNOWN = "outcome_unknown"  # sent, no answer (timeout, connection lost, 5xx)
    PENDING = "pending"  # the provider has the payment, not settled yet
    COMPLETED = "completed"
    REJECTED = "rejected"
    RETURNED = "returned"


class PayoutEvent(StrEnum):
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"


Obs = Observation
ATTEMPT_TRANSITIONS: dict[tuple[At, Observation], At] = {
    (At.SENDING, Obs.OUTCOME_UNKNOWN): At.UNKNOWN,
    (At.SENDING, Obs.PENDING): At.SUBMITTED,
    (At.SENDING, Obs.COMPLETED): At.PAID,
    (At.SENDING, Obs.REJECTED): At.FAILED,
    (At.SENDING, Obs.RETURNED): At.RETURNED,
    (At.UNKNOWN, Obs.PENDING): At.SUBMITTED,
    (At.UNKNOWN, Obs.COMPLETED): At.PAID,
    (At.UNKNOWN, Obs.REJECTED): At.FAILED,
    (At.UNKNOWN, Obs.RETURNED): At.RETURNED,
    (At.SUBMITTED, Obs.COMPLETED): At.PAID,
    (At.SUBMITTED, Obs.REJECTED): At.FAILED,
    (At.SUBMITTED, Obs.RETURNED): At.RETURNED,
    (At.PAID, Obs.RETURNED): At.RETURNED,
}

ACTION_FOR: dict[Observation, PayoutAction] = {
    Obs.OUTCOME_UNKNOWN: PayoutAction.OUTCOME_UNKNOWN,
    Obs.PENDING: PayoutAction.PROVIDER_ACCEPTED,
    Obs.COMPLETED: PayoutAction.PROVIDER_COMPLETED,
    Obs.REJECTED: PayoutAction.PROVIDER_REJECTED,
    Obs.RETURNED: PayoutAction.PROVIDER_RETURNED,
}


@dataclass(frozen=True, slots=True)
class Effect:
    action: PayoutAction
    attempt_to: At | None = None
    payout_to: PayoutStatus | None = None
    emit: PayoutEvent | None = None

    @property
    def ignored(self) -> bool:
        return self.attempt_to is None and self.payout_to is None

    @property
    def payout_left_behind(self) -> bool:
        """The attempt moved but the payout could not follow (e.g. it was already final): the
        provider did something we no longer expected, which an operator must look at."""
        return self.attempt_to is not None and self.payout_to is None


def resolve(payout: PayoutStatus, attempt: At, observation: Observation) -> Effect:
    action = ACTION_FOR[observation]
    attempt_to = ATTEMPT_TRANSITIONS.get((attempt, observation))
    if attempt_to is None:
        return Effect(action)  # duplicate, stale or out of order: nothing to do
    payout_to = next_status(payout, action) if is_legal(payout, action) else None
    return Effect(action, attempt_to, payout_to, _event(payout, payout_to))


def _event(before: PayoutStatus, after: PayoutStatus | None) -> PayoutEvent | None:
    if after is PayoutStatus.SUBMITTED:
        return PayoutEvent.SUBMITTED
    if after is PayoutStatus.PAID:
        return PayoutEvent.PAID
    if after is PayoutStatus.FAILED:
        return PayoutEvent.FAILED
    if after is PayoutStatus.RETURNED and before is not PayoutStatus.PAID:
        # Returned before anyone was told it was paid: to the requester it simply failed.
        return PayoutEvent.FAILED
    return None
