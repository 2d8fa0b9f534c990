"""What a provider observation does to an attempt and its payout, decided without I/O.

Observations arrive from three places (the dispatcher's answer, status queries, signed
callbacks), late, twice, or out of order. The caller holds the payout's row lock and passes the
current statuses; ``resolve`` answers what changes and which event (if any) to emit. An
observation the attempt has already moved past is ignored, so no sequence of observations can
emit ``paid`` twice or both ``paid`` and ``failed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.payouts.domain.model import AttemptStatus as At
from services.payouts.domain.model import PayoutStatus, Rail
from services.payouts.domain.transitions import NO_FACTS, PAYOUT_MACHINE, PayoutAction


class Observation(StrEnum):
    """A rail-neutral reading of what the provider told us."""

    OUTCOME_UNKNOWN = "outcome_unknown"  # sent, no answer (timeout, connection lost, 5xx)
    NOT_SENT = "not_sent"  # refused before the provider could act (connection refused, 429, 503)
    PENDING = "pending"  # the provider has the payment, not settled yet
    COMPLETED = "completed"
    REJECTED = "rejected"
    RETURNED = "returned"
    CANCELLED = "cancelled"  # voided or stopped at our request: it will never pay
    STALE = "stale"  # a check nobody cashed in time, stopped by the bank: reissue or give up


class PayoutEvent(StrEnum):
    SUBMITTED = "submitted"
    PAID = "paid"
    FAILED = "failed"
    RETURNED = "returned"
    # Ended without money: cancelled, voided, stopped, rejected by an approver or expired; the
    # event's final_status says which.
    CANCELLED = "cancelled"


Obs = Observation
ATTEMPT_TRANSITIONS: dict[tuple[At, Observation], At] = {
    (At.SENDING, Obs.OUTCOME_UNKNOWN): At.UNKNOWN,
    # Only a send we are making can fail unsent: an attempt once unknown may still be at the
    # provider whatever a later try says.
    (At.SENDING, Obs.NOT_SENT): At.UNSENT,
    # The provider's own word beats our reading of its refusals: should it report an attempt we
    # took for unsent (a 503 that had in fact recorded it), that is what happened.
    (At.UNSENT, Obs.PENDING): At.SUBMITTED,
    (At.UNSENT, Obs.COMPLETED): At.PAID,
    (At.UNSENT, Obs.REJECTED): At.FAILED,
    (At.UNSENT, Obs.RETURNED): At.RETURNED,
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
    (At.SENDING, Obs.CANCELLED): At.CANCELLED,
    (At.UNKNOWN, Obs.CANCELLED): At.CANCELLED,
    (At.SUBMITTED, Obs.CANCELLED): At.CANCELLED,
    (At.SENDING, Obs.STALE): At.CANCELLED,
    (At.UNKNOWN, Obs.STALE): At.CANCELLED,
    (At.SUBMITTED, Obs.STALE): At.CANCELLED,
}

# Our own moves, not the provider's word: an unsent attempt is taken again by the dispatcher
# (same id) or withdrawn with its cancelled payout, so nothing sends it afterwards.
RESEND: dict[At, At] = {At.UNSENT: At.SENDING}
WITHDRAW: dict[At, At] = {At.UNSENT: At.CANCELLED}

ACTION_FOR: dict[Observation, PayoutAction] = {
    Obs.OUTCOME_UNKNOWN: PayoutAction.OUTCOME_UNKNOWN,
    Obs.NOT_SENT: PayoutAction.NOT_SENT,
    Obs.PENDING: PayoutAction.PROVIDER_ACCEPTED,
    Obs.COMPLETED: PayoutAction.PROVIDER_COMPLETED,
    Obs.REJECTED: PayoutAction.PROVIDER_REJECTED,
    Obs.RETURNED: PayoutAction.PROVIDER_RETURNED,
    Obs.CANCELLED: PayoutAction.PROVIDER_CANCELLED,
    Obs.STALE: PayoutAction.REISSUE,
}


@dataclass(frozen=True, slots=True)
class Policy:
    """What the payout may do next when its attempt ends without paying, decided by the caller
    (configuration and the payout's own facts)."""

    fall_back: bool = False  # a rejection has a fallback rail for this payout
    reissue: bool = False  # a stale or stopped check is issued again (under the cap)


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


# Attempts this service ended without payment. Only a completion contradicts them: a late
# PENDING can be a reordered callback from before a rejection, but nothing both failed (or was
# withdrawn, voided) and paid.
_ENDED_UNPAID = frozenset({At.FAILED, At.CANCELLED})


def contradicts(attempt: At, observation: Observation) -> bool:
    """The provider says money moved on an attempt we ended unpaid: an operator must look."""
    return attempt in _ENDED_UNPAID and observation is Obs.COMPLETED


def action_for(observation: Observation, policy: Policy) -> PayoutAction:
    """A rejection with a fallback is a fallback, a stale check is reissued under the cap and
    expires at it, a stop with a reissue asked for is a reissue."""
    if observation is Obs.REJECTED and policy.fall_back:
        return PayoutAction.FALL_BACK
    if observation is Obs.STALE:
        return PayoutAction.REISSUE if policy.reissue else PayoutAction.UNCLAIM
    if observation is Obs.CANCELLED and policy.reissue:
        return PayoutAction.REISSUE
    return ACTION_FOR[observation]


def resolve(payout: PayoutStatus, attempt: At, observation: Observation,
            policy: Policy | None = None) -> Effect:
    action = action_for(observation, policy or Policy())
    attempt_to = ATTEMPT_TRANSITIONS.get((attempt, observation))
    if attempt_to is None:
        return Effect(action)  # duplicate, stale or out of order: nothing to do
    payout_to = (PAYOUT_MACHINE.fire(payout, action, NO_FACTS)
                 if PAYOUT_MACHINE.can(payout, action) else None)
    return Effect(action, attempt_to, payout_to, event_for(payout_to))


_EVENTS = {
    PayoutStatus.SUBMITTED: PayoutEvent.SUBMITTED,
    PayoutStatus.PAID: PayoutEvent.PAID,
    PayoutStatus.FAILED: PayoutEvent.FAILED,
    PayoutStatus.RETURNED: PayoutEvent.RETURNED,
    PayoutStatus.CANCELLED: PayoutEvent.CANCELLED,
    PayoutStatus.REJECTED: PayoutEvent.CANCELLED,
    PayoutStatus.EXPIRED: PayoutEvent.CANCELLED,
    PayoutStatus.UNCLAIMED: PayoutEvent.CANCELLED,
}


def event_for(after: PayoutStatus | None) -> PayoutEvent | None:
    """The event announcing a payout that reached ``after`` (none for approved: a fallback or
    reissue is internal until its attempt is submitted)."""
    return None if after is None else _EVENTS.get(after)


@dataclass(frozen=True, slots=True)
class Reading:
    """One observation with what the provider said alongside it."""

    observation: Observation
    reason: str | None = None
    provider_reference: str | None = None
    provider_status: str | None = None
    reason_code: str | None = None


@dataclass(frozen=True, slots=True)
class ObservationRules:
    """The configuration an observation is applied under."""

    poll_interval_s: float
    poll_max_interval_s: float
    check_max_issues: int
    check_expiry_days: int
    # The rail a rejection falls back to, when the policy says it may.
    fallback: Rail | None = None

    def next_check_at(self, now: datetime, checks: int) -> datetime:
        return next_check_at(now, checks, self.poll_interval_s, self.poll_max_interval_s)


def next_check_at(now: datetime, checks: int, interval_s: float,
                  max_interval_s: float) -> datetime:
    """When to ask the provider again: the poll interval, doubling per check done, capped.

    A Concourse payment can stay pending for days (the payee has not registered yet); polling
    it every few seconds for that long would only load the provider.
    """
    delay = min(interval_s * 2 ** min(checks, 20), max_interval_s)
    return now + timedelta(seconds=delay)
