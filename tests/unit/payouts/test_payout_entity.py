"""The payout and its attempts change themselves and say what they announce: plain objects, no
database (``domain.payout``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.payouts.domain.attempts import Attempt
from services.payouts.domain.check_issues import IssuedCheck
from services.payouts.domain.errors import (
    AttemptInFlightError,
    IllegalTransitionError,
    SelfApprovalError,
)
from services.payouts.domain.events import (
    AttemptAnswered,
    PayoutDecided,
    PayoutTransitioned,
    SlaBreached,
)
from services.payouts.domain.model import AttemptStatus, PayoutStatus, Rail
from services.payouts.domain.outcomes import (
    Observation,
    ObservationRules,
    PayoutEvent,
    Policy,
    Reading,
)
from services.payouts.domain.payout import Payout
from services.payouts.domain.transitions import PayoutAction, PayoutFacts

AT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
RULES = ObservationRules(poll_interval_s=10, poll_max_interval_s=900, check_max_issues=2,
                         check_expiry_days=180)


@dataclass
class FakePayout(Payout):
    status: str = PayoutStatus.APPROVED.value
    status_reason: str | None = None
    updated_at: datetime = AT - timedelta(hours=1)
    rail: str = Rail.CONCOURSE.value
    requested_by: str = "ss-approver-1"
    decided_by: str | None = None
    approval_reasons: list[str] | None = None
    reissue_on_cancel: bool = False
    deadline_at: datetime | None = None
    sla_breached_at: datetime | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class FakeAttempt(Attempt):
    status: str = AttemptStatus.SENDING.value
    provider_reference: str | None = None
    provider_status: str | None = None
    status_reason: str | None = None
    lease_until: datetime = AT
    updated_at: datetime = AT - timedelta(hours=1)
    sends: int = 1
    checks: int = 0
    id: str = "E2E0000000000001"


def _observe(payout: FakePayout, attempt: FakeAttempt, observation: Observation,
             policy: Policy | None = None, rules: ObservationRules = RULES,
             **said: str) -> tuple[PayoutTransitioned | AttemptAnswered, ...]:
    observed = payout.observe(attempt, Reading(observation, **said), policy or Policy(), rules,
                              actor="dispatcher", at=AT)
    return tuple(observed.events)


def test_a_completion_pays_the_payout_and_announces_it_with_the_attempt() -> None:
    payout, attempt = FakePayout(), FakeAttempt()
    [move] = _observe(payout, attempt, Observation.COMPLETED, provider_reference="REF-1",
                      provider_status="completed")

    assert move == PayoutTransitioned(payout, "approved", PayoutStatus.PAID,
                                      PayoutAction.PROVIDER_COMPLETED, "dispatcher", AT, None,
                                      attempt, PayoutEvent.PAID)
    assert (payout.status, payout.updated_at) == ("paid", AT)
    assert (attempt.status, attempt.provider_reference, attempt.provider_status) == (
        "paid", "REF-1", "completed")


def test_an_acceptance_schedules_the_next_status_query() -> None:
    payout, attempt = FakePayout(), FakeAttempt(checks=3)
    [move] = _observe(payout, attempt, Observation.PENDING)

    assert isinstance(move, PayoutTransitioned) and move.announce is PayoutEvent.SUBMITTED
    assert attempt.lease_until == AT + timedelta(seconds=80)  # 10 s doubled per check done


def test_an_unsent_attempt_backs_off_by_its_sends_and_the_payout_stays_approved() -> None:
    payout, attempt = FakePayout(), FakeAttempt(sends=2, checks=5)
    [move] = _observe(payout, attempt, Observation.NOT_SENT, reason="503")

    assert isinstance(move, PayoutTransitioned)
    assert (move.before, move.to, move.announce) == ("approved", PayoutStatus.APPROVED, None)
    assert (attempt.status, attempt.lease_until) == ("unsent", AT + timedelta(seconds=40))


def test_an_observation_the_attempt_is_past_changes_nothing() -> None:
    payout, attempt = FakePayout(status="paid"), FakeAttempt(status="paid")
    observed = payout.observe(attempt, Reading(Observation.PENDING), Policy(), RULES,
                              actor="dispatcher", at=AT)

    assert observed.effect.ignored and list(observed.events) == []
    assert (payout.status, attempt.status, attempt.updated_at) == ("paid", "paid",
                                                                   AT - timedelta(hours=1))


def test_a_check_further_along_is_shown_on_its_attempt_only() -> None:
    payout, attempt = FakePayout(status="submitted"), FakeAttempt(status="submitted")
    assert _observe(payout, attempt, Observation.PENDING, provider_status="mailed") == (
        AttemptAnswered(attempt),)
    assert (attempt.provider_status, attempt.updated_at, payout.status) == (
        "mailed", AT, "submitted")


def test_a_rejection_with_a_fallback_moves_the_payout_to_that_rail() -> None:
    payout, attempt = FakePayout(status="submitted"), FakeAttempt(status="submitted")
    rules = ObservationRules(10, 900, 2, 180, fallback=Rail.CHECK)
    [move] = _observe(payout, attempt, Observation.REJECTED, Policy(fall_back=True), rules,
                      reason_code="AC04")

    assert isinstance(move, PayoutTransitioned) and move.action is PayoutAction.FALL_BACK
    assert (payout.status, payout.rail) == ("approved", "check")
    assert payout.status_reason == "concourse rejected (AC04); falling back to check"
    assert move.announce is None  # internal until the new attempt is submitted


def test_a_provider_move_a_final_payout_cannot_follow_saves_the_attempt_alone() -> None:
    payout, attempt = FakePayout(status="cancelled"), FakeAttempt(status="submitted")
    assert _observe(payout, attempt, Observation.COMPLETED) == (AttemptAnswered(attempt),)
    assert (payout.status, attempt.status) == ("cancelled", "paid")


def test_a_received_payout_is_approved_held_or_refused_by_its_facts() -> None:
    clean, held, invalid = FakePayout(status="received"), FakePayout(status="received"), \
        FakePayout(status="received")

    [approved] = clean.decide(PayoutFacts(), actor="payouts", at=AT)
    [hold] = held.decide(PayoutFacts(approval_reasons=("over 5000",)), actor="payouts", at=AT)
    [failed] = invalid.decide(PayoutFacts(validation_errors=("no email", "no mobile")),
                              actor="payouts", at=AT)

    assert (approved.to, approved.announce, clean.approval_reasons) == (
        PayoutStatus.APPROVED, None, None)
    assert (hold.to, held.status_reason, held.approval_reasons) == (
        PayoutStatus.PENDING_APPROVAL, "over 5000", ["over 5000"])
    assert (failed.to, failed.announce, invalid.status_reason) == (
        PayoutStatus.FAILED, PayoutEvent.FAILED, "no email; no mobile")


def test_an_approver_releases_a_held_payout_and_the_decision_is_announced_first() -> None:
    payout = FakePayout(status="pending_approval")
    decided, move = payout.approve(actor="payables-1", reason="checked", at=AT)

    assert decided == PayoutDecided(payout, PayoutAction.APPROVE, "payables-1", AT, "checked")
    assert isinstance(move, PayoutTransitioned)
    assert (move.to, move.announce, move.reason) == (
        PayoutStatus.APPROVED, None, "approve by payables-1: checked")
    assert payout.decided_by == "payables-1"


def test_a_rejection_ends_the_payout_as_cancelled() -> None:
    payout = FakePayout(status="pending_approval")
    _, move = payout.reject(actor="payables-1", reason="duplicate", at=AT)
    assert isinstance(move, PayoutTransitioned)
    assert (payout.status, move.announce) == ("rejected", PayoutEvent.CANCELLED)


def test_whoever_asked_for_the_money_cannot_release_it_and_nothing_changes() -> None:
    payout = FakePayout(status="pending_approval")
    with pytest.raises(SelfApprovalError):
        payout.approve(actor="SS-Approver-1 ", reason="mine", at=AT)
    assert (payout.status, payout.decided_by) == ("pending_approval", None)


def test_a_cancel_withdraws_the_unsent_attempt_with_the_payout() -> None:
    payout, unsent = FakePayout(), FakeAttempt(status="unsent")
    withdrawn, move = payout.cancel([unsent], actor="ops-1", reason="asked", at=AT)

    assert withdrawn == AttemptAnswered(unsent) and unsent.status == "cancelled"
    assert isinstance(move, PayoutTransitioned)
    assert (payout.status, move.announce, move.attempt) == (
        "cancelled", PayoutEvent.CANCELLED, None)


def test_a_cancel_is_refused_while_an_attempt_may_be_at_the_provider() -> None:
    payout = FakePayout()
    with pytest.raises(AttemptInFlightError):
        payout.cancel([FakeAttempt(status="submitted")], actor="ops-1", reason="asked", at=AT)
    assert payout.status == "approved"


def test_a_paid_payout_cannot_be_cancelled() -> None:
    with pytest.raises(IllegalTransitionError):
        FakePayout(status="paid").cancel([], actor="ops-1", reason="asked", at=AT)


def test_a_breach_is_marked_and_announced() -> None:
    payout = FakePayout(deadline_at=AT - timedelta(hours=1))
    assert payout.breach_sla(AT) == [SlaBreached(payout)]
    assert payout.sla_breached_at == AT


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(Observation)), max_size=12),
           st.booleans(), st.booleans())
def test_no_sequence_of_observations_announces_paid_twice_or_paid_and_failed(
    observations: list[Observation], fall_back: bool, reissue: bool,
) -> None:
    payout, attempt = FakePayout(), FakeAttempt()
    rules = ObservationRules(10, 900, 2, 180, fallback=Rail.CHECK if fall_back else None)
    announced: list[PayoutEvent] = []
    for observation in observations:
        for event in _observe(payout, attempt, observation,
                              Policy(fall_back=fall_back, reissue=reissue), rules):
            # What the payout says it moved to is what it now is.
            if isinstance(event, PayoutTransitioned):
                assert payout.status == event.to.value
                if event.announce is not None:
                    announced.append(event.announce)
    assert announced.count(PayoutEvent.PAID) <= 1
    assert not {PayoutEvent.PAID, PayoutEvent.FAILED} <= set(announced)


@dataclass
class FakeIssue(IssuedCheck):
    stop_id: str | None = None
    stop_expires_on: date | None = None


def test_a_stop_is_kept_with_its_expiry_and_a_renewal_keeps_its_id() -> None:
    issue = FakeIssue()
    issue.stopped("STP-1", date(2026, 7, 5))
    issue.stop_renewed(date(2027, 1, 5))
    assert (issue.stop_id, issue.stop_expires_on) == ("STP-1", date(2027, 1, 5))
