"""An attempt that never reached the provider: it does not hold the payout, which may still be
cancelled; an attempt that may have reached it does, until the provider's answer is known."""

from __future__ import annotations

import pytest

from services.payouts.domain.errors import IllegalTransitionError, TransitionRefusedError
from services.payouts.domain.model import ACTIVE_ATTEMPT_STATUSES, AttemptStatus, PayoutStatus
from services.payouts.domain.outcomes import RESEND, WITHDRAW, Observation, contradicts, resolve
from services.payouts.domain.transitions import (
    NO_FACTS,
    PAYOUT_MACHINE,
    PayoutAction,
    PayoutFacts,
)

S, At, Ob, A = PayoutStatus, AttemptStatus, Observation, PayoutAction


def test_a_send_refused_before_the_provider_acted_leaves_the_payout_approved_and_silent() -> None:
    effect = resolve(S.APPROVED, At.SENDING, Ob.NOT_SENT)
    assert effect.action is A.NOT_SENT
    assert (effect.attempt_to, effect.payout_to, effect.emit) == (At.UNSENT, S.APPROVED, None)


def test_an_unsent_attempt_does_not_hold_the_payout_and_cancel_is_allowed() -> None:
    assert At.UNSENT not in ACTIVE_ATTEMPT_STATUSES
    facts = PayoutFacts(has_active_attempt=At.UNSENT in ACTIVE_ATTEMPT_STATUSES)
    assert PAYOUT_MACHINE.fire(S.APPROVED, A.CANCEL, facts) is S.CANCELLED


@pytest.mark.parametrize("attempt", [At.SENDING, At.SUBMITTED, At.UNKNOWN])
def test_an_attempt_that_may_be_at_the_provider_refuses_cancel(attempt: AttemptStatus) -> None:
    facts = PayoutFacts(has_active_attempt=attempt in ACTIVE_ATTEMPT_STATUSES)
    with pytest.raises(TransitionRefusedError, match="in flight"):
        PAYOUT_MACHINE.fire(S.APPROVED, A.CANCEL, facts)


@pytest.mark.parametrize("payout", [S.UNKNOWN, S.SUBMITTED])
def test_a_payout_whose_outcome_is_unknown_or_held_cannot_be_cancelled(
    payout: PayoutStatus,
) -> None:
    with pytest.raises(IllegalTransitionError):
        PAYOUT_MACHINE.fire(payout, A.CANCEL, NO_FACTS)


def test_an_attempt_once_unknown_never_becomes_unsent() -> None:
    # A timed-out send may still land at the provider: a later refused try proves nothing.
    for attempt in (At.UNKNOWN, At.SUBMITTED, At.PAID):
        assert resolve(S.UNKNOWN, attempt, Ob.NOT_SENT).ignored


def test_the_providers_word_about_an_attempt_taken_for_unsent_is_applied() -> None:
    pending = resolve(S.APPROVED, At.UNSENT, Ob.PENDING)
    assert (pending.attempt_to, pending.payout_to) == (At.SUBMITTED, S.SUBMITTED)
    paid = resolve(S.APPROVED, At.UNSENT, Ob.COMPLETED)
    assert (paid.attempt_to, paid.payout_to) == (At.PAID, S.PAID)


def test_only_an_unsent_attempt_is_resent_or_withdrawn() -> None:
    assert RESEND == {At.UNSENT: At.SENDING}
    assert WITHDRAW == {At.UNSENT: At.CANCELLED}


def test_a_withdrawn_attempt_never_pays_whatever_arrives_late() -> None:
    withdrawn = WITHDRAW[At.UNSENT]
    for observation in Observation:
        assert resolve(S.CANCELLED, withdrawn, observation).ignored


def test_only_a_completion_on_an_attempt_ended_unpaid_is_a_contradiction() -> None:
    ended = {At.FAILED, At.CANCELLED}
    for attempt in At:
        for observation in Observation:
            expected = attempt in ended and observation is Observation.COMPLETED
            assert contradicts(attempt, observation) is expected, (attempt, observation)
