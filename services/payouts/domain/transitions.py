"""The payout state machine: one explicit table of (from, action, guard -> to).

Every status change of a payout is looked up here (``PAYOUT_MACHINE.fire``); anything not in the
table is illegal. A guard is a business rule that must hold for the transition: it returns the
named error that says why not, or ``None``. Each (status, action) has one row. The
approval, cancel and expiry rows are already here so that later rails and approval rules only add
guards and callers, not new paths around the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.payouts.domain.errors import (
    ApprovalNeededError,
    AttemptInFlightError,
    DomainError,
    IllegalTransitionError,
    NoApprovalRuleError,
    PayoutInvalidError,
    PayoutValidError,
)
from services.payouts.domain.model import PayoutStatus as S
from shared.domain.machine import Rule, StateMachine


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


# The facts of a transition whose caller has none to give (a provider's answer, a decision).
NO_FACTS = PayoutFacts()


def _valid(action: PayoutAction, facts: PayoutFacts) -> DomainError | None:
    if facts.validation_errors:
        return PayoutInvalidError(S.RECEIVED, action, facts.validation_errors)
    return None


def _no_approval_needed(facts: PayoutFacts) -> DomainError | None:
    action = PayoutAction.APPROVE_AUTOMATICALLY
    if (invalid := _valid(action, facts)) is not None:
        return invalid
    if facts.approval_reasons:
        return ApprovalNeededError(S.RECEIVED, action, facts.approval_reasons)
    return None


def _approval_needed(facts: PayoutFacts) -> DomainError | None:
    action = PayoutAction.HOLD_FOR_APPROVAL
    if (invalid := _valid(action, facts)) is not None:
        return invalid
    return None if facts.approval_reasons else NoApprovalRuleError(S.RECEIVED, action)


def _invalid(facts: PayoutFacts) -> DomainError | None:
    if facts.validation_errors:
        return None
    return PayoutValidError(S.RECEIVED, PayoutAction.REJECT_INVALID)


def _nothing_in_flight(facts: PayoutFacts) -> DomainError | None:
    # Once an attempt may exist at the provider, only the provider's answer can end the payout.
    if facts.has_active_attempt:
        return AttemptInFlightError(S.APPROVED, PayoutAction.CANCEL)
    return None


Transition = Rule[S, PayoutAction, PayoutFacts]

A = PayoutAction
TRANSITIONS: tuple[Transition, ...] = (
    Rule(S.RECEIVED, A.APPROVE_AUTOMATICALLY, S.APPROVED, _no_approval_needed),
    Rule(S.RECEIVED, A.HOLD_FOR_APPROVAL, S.PENDING_APPROVAL, _approval_needed),
    Rule(S.RECEIVED, A.REJECT_INVALID, S.FAILED, _invalid),
    Rule(S.RECEIVED, A.CANCEL, S.CANCELLED),
    Rule(S.PENDING_APPROVAL, A.APPROVE, S.APPROVED),
    Rule(S.PENDING_APPROVAL, A.REJECT, S.REJECTED),
    Rule(S.PENDING_APPROVAL, A.CANCEL, S.CANCELLED),
    Rule(S.APPROVED, A.OUTCOME_UNKNOWN, S.UNKNOWN),
    # Still approved: the attempt waits, unsent, for the dispatcher to send it again, and the
    # payout may be cancelled meanwhile (no provider holds it).
    Rule(S.APPROVED, A.NOT_SENT, S.APPROVED),
    Rule(S.APPROVED, A.PROVIDER_ACCEPTED, S.SUBMITTED),
    # The provider may already have settled when we first hear of it (fast rail, or a crashed
    # worker's attempt found by a status query).
    Rule(S.APPROVED, A.PROVIDER_COMPLETED, S.PAID),
    Rule(S.APPROVED, A.PROVIDER_REJECTED, S.FAILED),
    Rule(S.APPROVED, A.PROVIDER_RETURNED, S.RETURNED),
    Rule(S.APPROVED, A.CANCEL, S.CANCELLED, _nothing_in_flight),
    Rule(S.UNKNOWN, A.PROVIDER_ACCEPTED, S.SUBMITTED),
    Rule(S.UNKNOWN, A.PROVIDER_COMPLETED, S.PAID),
    Rule(S.UNKNOWN, A.PROVIDER_REJECTED, S.FAILED),
    Rule(S.UNKNOWN, A.PROVIDER_RETURNED, S.RETURNED),
    Rule(S.SUBMITTED, A.PROVIDER_COMPLETED, S.PAID),
    Rule(S.SUBMITTED, A.PROVIDER_REJECTED, S.FAILED),
    Rule(S.SUBMITTED, A.PROVIDER_RETURNED, S.RETURNED),
    Rule(S.SUBMITTED, A.UNCLAIM, S.UNCLAIMED),
    # Money that reached the payee can still come back (e.g. an ACH return).
    Rule(S.PAID, A.PROVIDER_RETURNED, S.RETURNED),
    # The provider confirmed the attempt will never pay (void, stop payment): only then may a
    # payout end without money, move to its fallback rail or get a new attempt. A new attempt
    # is made by the dispatcher from APPROVED, never while another one is active.
    Rule(S.APPROVED, A.PROVIDER_CANCELLED, S.CANCELLED),
    Rule(S.UNKNOWN, A.PROVIDER_CANCELLED, S.CANCELLED),
    Rule(S.SUBMITTED, A.PROVIDER_CANCELLED, S.CANCELLED),
    Rule(S.APPROVED, A.FALL_BACK, S.APPROVED),
    Rule(S.UNKNOWN, A.FALL_BACK, S.APPROVED),
    Rule(S.SUBMITTED, A.FALL_BACK, S.APPROVED),
    Rule(S.APPROVED, A.REISSUE, S.APPROVED),
    Rule(S.UNKNOWN, A.REISSUE, S.APPROVED),
    Rule(S.SUBMITTED, A.REISSUE, S.APPROVED),
    Rule(S.APPROVED, A.UNCLAIM, S.UNCLAIMED),
    Rule(S.UNKNOWN, A.UNCLAIM, S.UNCLAIMED),
)


def _illegal(_machine: str, current: S, action: PayoutAction,
             _allowed: Sequence[PayoutAction]) -> DomainError:
    return IllegalTransitionError(current, action)


def _unambiguous(rules: tuple[Transition, ...]) -> tuple[Transition, ...]:
    # A payout's next status never depends on which of two rows a guard picks.
    seen: set[tuple[S, PayoutAction]] = set()
    for rule in rules:
        if (rule.source, rule.action) in seen:
            raise RuntimeError(f"ambiguous transition {rule.source} --{rule.action}-->")
        seen.add((rule.source, rule.action))
    return rules


PAYOUT_MACHINE: StateMachine[S, PayoutAction, PayoutFacts] = StateMachine(
    "payout", _unambiguous(TRANSITIONS), illegal=_illegal
)
