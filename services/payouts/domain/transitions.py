"""The payout state machine: one explicit table of (from, action, guard -> to).

Every status change of a payout is looked up here; anything not in the table is illegal. A guard
is a business rule that must hold for the transition (it returns why not, or ``None``). The
approval, cancel and expiry rows are already here so that later rails and approval rules only add
guards and callers, not new paths around the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from services.payouts.domain.errors import IllegalTransitionError, TransitionRefusedError
from services.payouts.domain.model import PayoutStatus as S


class PayoutAction(StrEnum):
    APPROVE_AUTOMATICALLY = "approve_automatically"
    HOLD_FOR_APPROVAL = "hold_for_approval"
    APPROVE = "approve"
    REJECT_INVALID = "reject_invalid"
    OUTCOME_UNKNOWN = "outcome_unknown"
    # The provider call failed before the provider could act: nothing was sent, retried later.
    NOT_SENT = "not_sent"
    PROVIDER_ACCEPTED = "provider_accepted"
    PROVIDER_COMPLETED = "provider_completed"
    PROVIDER_REJECTED = "provider_rejected"
    PROVIDER_RETURNED = "provider_returned"
    PROVIDER_CANCELLED = "provider_cancelled"  # void or stop payment confirmed
    FALL_BACK = "fall_back"  # rejected on one rail, sent on the configured fallback rail
    # A stopped or stale check, issued again. Never a returned payout: the return reopened the
    # claim, and paying it again is the claim's new approval (a new payout); reissuing here too
    # would pay twice.
    REISSUE = "reissue"
    REJECT = "reject"  # by the approver
    CANCEL = "cancel"
    # A stale check that may not be reissued (cap, or the first check's age): unclaimed.
    UNCLAIM = "unclaim"


@dataclass(frozen=True, slots=True)
class PayoutFacts:
    """What the guards may look at, gathered by the caller inside its transaction."""

    validation_errors: tuple[str, ...] = ()
    approval_reasons: tuple[str, ...] = ()
    # An attempt that may exist at the provider (sending, submitted, unknown). An ``unsent``
    # attempt, which never reached it, is not one.
    has_active_attempt: bool = False


Guard = Callable[[PayoutFacts], str | None]


def _valid(facts: PayoutFacts) -> str | None:
    return "; ".join(facts.validation_errors) or None


def _invalid(facts: PayoutFacts) -> str | None:
    return None if facts.validation_errors else "the payout passed validation"


def _no_approval_needed(facts: PayoutFacts) -> str | None:
    return _valid(facts) or (
        "needs approval: " + "; ".join(facts.approval_reasons) if facts.approval_reasons else None
    )


def _approval_needed(facts: PayoutFacts) -> str | None:
    return _valid(facts) or (None if facts.approval_reasons else "no approval rule applies")


def _nothing_in_flight(facts: PayoutFacts) -> str | None:
    # Once an attempt may exist at the provider, only the provider's answer can end the payout.
    return "an attempt is in flight at the provider" if facts.has_active_attempt else None


@dataclass(frozen=True, slots=True)
class Transition:
    source: S
    action: PayoutAction
    target: S
    guard: Guard | None = None


A = PayoutAction
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.RECEIVED, A.APPROVE_AUTOMATICALLY, S.APPROVED, _no_approval_needed),
    Transition(S.RECEIVED, A.HOLD_FOR_APPROVAL, S.PENDING_APPROVAL, _approval_needed),
    Transition(S.RECEIVED, A.REJECT_INVALID, S.FAILED, _invalid),
    Transition(S.RECEIVED, A.CANCEL, S.CANCELLED),
    Transition(S.PENDING_APPROVAL, A.APPROVE, S.APPROVED),
    Transition(S.PENDING_APPROVAL, A.REJECT, S.REJECTED),
    Transition(S.PENDING_APPROVAL, A.CANCEL, S.CANCELLED),
    Transition(S.APPROVED, A.OUTCOME_UNKNOWN, S.UNKNOWN),
    # Still approved: the attempt waits, unsent, for the dispatcher to send it again, and the
    # payout may be cancelled meanwhile (no provider holds it).
    Transition(S.APPROVED, A.NOT_SENT, S.APPROVED),
    Transition(S.APPROVED, A.PROVIDER_ACCEPTED, S.SUBMITTED),
    # The provider may already have settled when we first hear of it (fast rail, or a crashed
    # worker's attempt found by a status query).
    Transition(S.APPROVED, A.PROVIDER_COMPLETED, S.PAID),
    Transition(S.APPROVED, A.PROVIDER_REJECTED, S.FAILED),
    Transition(S.APPROVED, A.PROVIDER_RETURNED, S.RETURNED),
    Transition(S.APPROVED, A.CANCEL, S.CANCELLED, _nothing_in_flight),
    Transition(S.UNKNOWN, A.PROVIDER_ACCEPTED, S.SUBMITTED),
    Transition(S.UNKNOWN, A.PROVIDER_COMPLETED, S.PAID),
    Transition(S.UNKNOWN, A.PROVIDER_REJECTED, S.FAILED),
    Transition(S.UNKNOWN, A.PROVIDER_RETURNED, S.RETURNED),
    Transition(S.SUBMITTED, A.PROVIDER_COMPLETED, S.PAID),
    Transition(S.SUBMITTED, A.PROVIDER_REJECTED, S.FAILED),
    Transition(S.SUBMITTED, A.PROVIDER_RETURNED, S.RETURNED),
    Transition(S.SUBMITTED, A.UNCLAIM, S.UNCLAIMED),
    # Money that reached the payee can still come back (e.g. an ACH return).
    Transition(S.PAID, A.PROVIDER_RETURNED, S.RETURNED),
    # The provider confirmed the attempt will never pay (void, stop payment): only then may a
    # payout end without money, move to its fallback rail or get a new attempt. A new attempt
    # is made by the dispatcher from APPROVED, never while another one is active.
    Transition(S.APPROVED, A.PROVIDER_CANCELLED, S.CANCELLED),
    Transition(S.UNKNOWN, A.PROVIDER_CANCELLED, S.CANCELLED),
    Transition(S.SUBMITTED, A.PROVIDER_CANCELLED, S.CANCELLED),
    Transition(S.APPROVED, A.FALL_BACK, S.APPROVED),
    Transition(S.UNKNOWN, A.FALL_BACK, S.APPROVED),
    Transition(S.SUBMITTED, A.FALL_BACK, S.APPROVED),
    Transition(S.APPROVED, A.REISSUE, S.APPROVED),
    Transition(S.UNKNOWN, A.REISSUE, S.APPROVED),
    Transition(S.SUBMITTED, A.REISSUE, S.APPROVED),
    Transition(S.APPROVED, A.UNCLAIM, S.UNCLAIMED),
    Transition(S.UNKNOWN, A.UNCLAIM, S.UNCLAIMED),
)

_INDEX: dict[tuple[S, PayoutAction], Transition] = {}
for _t in TRANSITIONS:
    if (_t.source, _t.action) in _INDEX:
        raise RuntimeError(f"ambiguous transition {_t.source} --{_t.action}-->")
    _INDEX[(_t.source, _t.action)] = _t


def is_legal(current: S, action: PayoutAction) -> bool:
    """True if the table has the transition (its guard is not evaluated)."""
    return (current, action) in _INDEX


def next_status(current: S, action: PayoutAction, facts: PayoutFacts | None = None) -> S:
    """The status ``action`` leads to from ``current``.

    Raises ``IllegalTransitionError`` if the table has no such transition and
    ``TransitionRefusedError`` if its guard does not hold.
    """
    transition = _INDEX.get((current, action))
    if transition is None:
        raise IllegalTransitionError(current, action)
    if transition.guard is not None:
        refusal = transition.guard(facts or PayoutFacts())
        if refusal is not None:
            raise TransitionRefusedError(current, action, refusal)
    return transition.target
