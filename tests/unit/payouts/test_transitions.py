"""The payout transition table: what is legal, what is not, and the guards."""

from __future__ import annotations

import itertools

import pytest

from services.payouts.domain import transitions
from services.payouts.domain.errors import IllegalTransitionError, TransitionRefusedError
from services.payouts.domain.model import (
    FINAL_PAYOUT_STATUSES,
    RETIRED_PAYOUT_STATUSES,
    PayoutStatus,
)
from services.payouts.domain.transitions import (
    NO_FACTS,
    PAYOUT_MACHINE,
    TRANSITIONS,
    PayoutAction,
    PayoutFacts,
)

S, A = PayoutStatus, PayoutAction
LEGAL = {(t.source, t.action): t.target for t in TRANSITIONS}


@pytest.mark.parametrize(
    ("source", "action", "facts", "target"),
    [
        (S.RECEIVED, A.APPROVE_AUTOMATICALLY, PayoutFacts(), S.APPROVED),
        (S.RECEIVED, A.HOLD_FOR_APPROVAL, PayoutFacts(approval_reasons=("over $5,000",)),
         S.PENDING_APPROVAL),
        (S.RECEIVED, A.REJECT_INVALID, PayoutFacts(validation_errors=("placeholder",)),
         S.FAILED),
        (S.PENDING_APPROVAL, A.APPROVE, PayoutFacts(), S.APPROVED),
        (S.APPROVED, A.PROVIDER_ACCEPTED, PayoutFacts(), S.SUBMITTED),
        (S.APPROVED, A.OUTCOME_UNKNOWN, PayoutFacts(), S.UNKNOWN),
        (S.APPROVED, A.PROVIDER_COMPLETED, PayoutFacts(), S.PAID),
        (S.APPROVED, A.CANCEL, PayoutFacts(), S.CANCELLED),
        (S.UNKNOWN, A.PROVIDER_ACCEPTED, PayoutFacts(), S.SUBMITTED),
        (S.UNKNOWN, A.PROVIDER_COMPLETED, PayoutFacts(), S.PAID),
        (S.UNKNOWN, A.PROVIDER_REJECTED, PayoutFacts(), S.FAILED),
        (S.SUBMITTED, A.PROVIDER_COMPLETED, PayoutFacts(), S.PAID),
        (S.SUBMITTED, A.PROVIDER_REJECTED, PayoutFacts(), S.FAILED),
        (S.SUBMITTED, A.PROVIDER_RETURNED, PayoutFacts(), S.RETURNED),
        (S.SUBMITTED, A.UNCLAIM, PayoutFacts(), S.UNCLAIMED),
        (S.PAID, A.PROVIDER_RETURNED, PayoutFacts(), S.RETURNED),
    ],
)
def test_legal_transitions(
    source: PayoutStatus, action: PayoutAction, facts: PayoutFacts, target: PayoutStatus
) -> None:
    assert PAYOUT_MACHINE.can(source, action)
    assert PAYOUT_MACHINE.fire(source, action, facts) is target


def test_everything_not_in_the_table_is_illegal() -> None:
    for source, action in itertools.product(PayoutStatus, PayoutAction):
        if (source, action) in LEGAL:
            continue
        assert not PAYOUT_MACHINE.can(source, action)
        with pytest.raises(IllegalTransitionError, match=f"status {source.value} cannot"):
            PAYOUT_MACHINE.fire(source, action, NO_FACTS)


@pytest.mark.parametrize(
    ("source", "action"),
    [
        (S.PAID, A.PROVIDER_COMPLETED),  # paid twice
        (S.PAID, A.PROVIDER_REJECTED),
        (S.FAILED, A.PROVIDER_COMPLETED),
        (S.SUBMITTED, A.PROVIDER_ACCEPTED),
        (S.RECEIVED, A.PROVIDER_ACCEPTED),  # never sent before approval
        (S.PENDING_APPROVAL, A.PROVIDER_ACCEPTED),
        (S.SUBMITTED, A.CANCEL),  # money in flight cannot be cancelled
        (S.UNKNOWN, A.OUTCOME_UNKNOWN),
    ],
)
def test_notable_illegal_transitions(source: PayoutStatus, action: PayoutAction) -> None:
    with pytest.raises(IllegalTransitionError):
        PAYOUT_MACHINE.fire(source, action, NO_FACTS)


def test_final_statuses_only_leave_for_a_return_after_payment() -> None:
    # A returned payout is never reissued: the return reopened the claim, whose new approval
    # is a new payout; a reissue here as well would pay twice.
    leaving = {(t.source, t.action) for t in TRANSITIONS if t.source in FINAL_PAYOUT_STATUSES}
    assert leaving == {(S.PAID, A.PROVIDER_RETURNED)}


def test_every_status_is_reachable_from_received() -> None:
    seen, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        current = frontier.pop()
        for (source, _), target in LEGAL.items():
            if source is current and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(PayoutStatus) - RETIRED_PAYOUT_STATUSES


@pytest.mark.parametrize(
    ("action", "facts", "why"),
    [
        (A.APPROVE_AUTOMATICALLY, PayoutFacts(validation_errors=("bad email",)), "bad email"),
        (A.APPROVE_AUTOMATICALLY, PayoutFacts(approval_reasons=("large",)), "needs approval"),
        (A.HOLD_FOR_APPROVAL, PayoutFacts(), "no approval rule"),
        (A.REJECT_INVALID, PayoutFacts(), "passed validation"),
    ],
)
def test_guards_refuse_with_a_reason(action: PayoutAction, facts: PayoutFacts, why: str) -> None:
    with pytest.raises(TransitionRefusedError, match=why):
        PAYOUT_MACHINE.fire(S.RECEIVED, action, facts)


def test_cancel_is_refused_while_an_attempt_is_in_flight() -> None:
    with pytest.raises(TransitionRefusedError, match="in flight"):
        PAYOUT_MACHINE.fire(S.APPROVED, A.CANCEL, PayoutFacts(has_active_attempt=True))


def test_the_table_has_one_row_per_status_and_action() -> None:
    assert len(PAYOUT_MACHINE.rules) == len(TRANSITIONS) == len(LEGAL)
    with pytest.raises(RuntimeError, match="ambiguous transition"):
        transitions._unambiguous((*TRANSITIONS, TRANSITIONS[0]))
