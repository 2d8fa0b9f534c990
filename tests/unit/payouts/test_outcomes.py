"""Provider observations against a payout: whatever arrives, in whatever order and however
often, a payout is paid at most once and never both paid and failed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.payouts.domain.model import FINAL_PAYOUT_STATUSES, AttemptStatus, PayoutStatus
from services.payouts.domain.outcomes import Observation, PayoutEvent, Policy, resolve
from services.payouts.domain.transitions import PayoutAction

S, At, Ob = PayoutStatus, AttemptStatus, Observation


def run(observations: list[Observation]) -> tuple[PayoutStatus, AttemptStatus, list[PayoutEvent]]:
    payout, attempt, events = S.APPROVED, At.SENDING, []
    for observation in observations:
        effect = resolve(payout, attempt, observation)
        if effect.attempt_to is not None:
            attempt = effect.attempt_to
        if effect.payout_to is not None:
            payout = effect.payout_to
        if effect.emit is not None:
            events.append(effect.emit)
    return payout, attempt, events


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list(Observation)), max_size=30))
def test_paid_at_most_once_whatever_the_sequence(observations: list[Observation]) -> None:
    payout, _, events = run(observations)
    assert events.count(PayoutEvent.PAID) <= 1
    assert events.count(PayoutEvent.FAILED) <= 1
    assert not (PayoutEvent.PAID in events and PayoutEvent.FAILED in events)
    assert events.count(PayoutEvent.SUBMITTED) <= 1
    if PayoutEvent.PAID in events:
        assert payout in (S.PAID, S.RETURNED)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(list(Observation)), min_size=1, max_size=10),
    st.integers(min_value=1, max_value=4),
)
def test_duplicates_of_every_observation_change_nothing(
    observations: list[Observation], copies: int
) -> None:
    """Delivering each observation several times in a row ends where delivering it once does."""
    repeated = [o for o in observations for _ in range(copies)]
    assert run(repeated) == run(observations)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(Observation)), max_size=20))
def test_a_final_payout_stays_final(observations: list[Observation]) -> None:
    payout, attempt = S.APPROVED, At.SENDING
    final_seen: PayoutStatus | None = None
    for observation in observations:
        effect = resolve(payout, attempt, observation)
        attempt = effect.attempt_to or attempt
        payout = effect.payout_to or payout
        if final_seen is not None and payout is not final_seen:
            # the only exit from a final status: money returned after payment
            assert (final_seen, payout) == (S.PAID, S.RETURNED)
        if payout in FINAL_PAYOUT_STATUSES:
            final_seen = payout


def test_late_pending_after_paid_is_ignored() -> None:
    effect = resolve(S.PAID, At.PAID, Ob.PENDING)
    assert effect.ignored and effect.emit is None


def test_response_already_completed_goes_straight_to_paid() -> None:
    effect = resolve(S.APPROVED, At.SENDING, Ob.COMPLETED)
    assert (effect.attempt_to, effect.payout_to, effect.emit) == (At.PAID, S.PAID,
                                                                   PayoutEvent.PAID)


def test_timeout_then_status_query_resolves_unknown() -> None:
    first = resolve(S.APPROVED, At.SENDING, Ob.OUTCOME_UNKNOWN)
    assert (first.attempt_to, first.payout_to, first.emit) == (At.UNKNOWN, S.UNKNOWN, None)
    second = resolve(S.UNKNOWN, At.UNKNOWN, Ob.PENDING)
    assert (second.payout_to, second.emit) == (S.SUBMITTED, PayoutEvent.SUBMITTED)


def test_a_return_before_or_after_payment_announces_payout_returned() -> None:
    assert resolve(S.SUBMITTED, At.SUBMITTED, Ob.RETURNED).emit is PayoutEvent.RETURNED
    after = resolve(S.PAID, At.PAID, Ob.RETURNED)
    assert after.payout_to is S.RETURNED and after.emit is PayoutEvent.RETURNED


def test_rejection_with_a_fallback_goes_back_to_approved_without_an_event() -> None:
    effect = resolve(S.SUBMITTED, At.SUBMITTED, Ob.REJECTED, Policy(fall_back=True))
    assert effect.action is PayoutAction.FALL_BACK
    assert effect.attempt_to is At.FAILED and effect.payout_to is S.APPROVED
    assert effect.emit is None
    plain = resolve(S.SUBMITTED, At.SUBMITTED, Ob.REJECTED)
    assert plain.payout_to is S.FAILED and plain.emit is PayoutEvent.FAILED


def test_stale_check_is_reissued_under_the_cap_and_unclaimed_at_it() -> None:
    again = resolve(S.SUBMITTED, At.SUBMITTED, Ob.STALE, Policy(reissue=True))
    assert again.attempt_to is At.CANCELLED and again.payout_to is S.APPROVED
    assert again.emit is None
    done = resolve(S.SUBMITTED, At.SUBMITTED, Ob.STALE)
    assert done.payout_to is S.UNCLAIMED and done.emit is PayoutEvent.CANCELLED


def test_void_or_stop_confirmed_cancels_or_reissues() -> None:
    cancelled = resolve(S.SUBMITTED, At.SUBMITTED, Ob.CANCELLED)
    assert cancelled.payout_to is S.CANCELLED and cancelled.emit is PayoutEvent.CANCELLED
    reissued = resolve(S.SUBMITTED, At.SUBMITTED, Ob.CANCELLED, Policy(reissue=True))
    assert reissued.payout_to is S.APPROVED
    # A cancelled attempt can never be paid afterwards, whatever arrives late.
    assert resolve(S.CANCELLED, At.CANCELLED, Ob.COMPLETED).ignored


def test_attempt_moves_even_when_the_payout_cannot_follow() -> None:
    effect = resolve(S.CANCELLED, At.SUBMITTED, Ob.COMPLETED)
    assert effect.payout_left_behind and effect.emit is None
