"""The claim changes itself through its transition table and returns its timeline entries."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given

from services.claims.domain.approval import Approval
from services.claims.domain.claim import Amounts, ClaimAction, ClaimFacts, ClaimStatus
from services.claims.domain.errors import (
    IllegalTransition,
    PaymentOptionMissing,
    ReviewNotOpen,
    TermsNotAccepted,
)
from services.claims.domain.events import PayoutRequested, Recorded, Transitioned
from services.claims.domain.payment import CURRENT_TERMS_VERSION, PayeeRole, PaymentChoice
from services.claims.domain.payment import PaymentRail as Rail
from services.claims.domain.payout import PayoutEvent, PayoutStatus, payout_key
from shared.money import Money
from tests.unit.claims.fakes import T0, FakeClaim, FakePayout
from tests.unit.claims.strategies import money

LATER = T0 + timedelta(minutes=5)


def approval(*, limit: str = "1000.00", supervisor: bool = False,
             override: bool = False) -> Approval:
    return Approval(approver="ss-1", supervisor=supervisor, override=override,
                    approval_limit=Money.of(limit), per_claim_cap=Money.of("100000.00"),
                    remaining_aggregate=Money.of("999999.99"))


def ready(claim: FakeClaim, the_approval: Approval) -> ClaimFacts:
    return ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by,
                      review_open=True, payment_selected=True, payment_confirmed=True,
                      approval=the_approval)


@given(money(min_cents=1, max_cents=100_000))
def test_approve_moves_the_claim_and_requests_its_next_payout(payable: Money) -> None:
    claim = FakeClaim(payable=payable.amount, payout_sequence=1)
    requested, event = claim.approve(ready(claim, approval()), actor="ss-1", at=LATER)
    assert (claim.status, claim.approved_by, claim.approved_at, claim.updated_at,
            claim.payout_sequence) == (ClaimStatus.APPROVED, "ss-1", LATER, LATER, 2)
    # First the payout it asks for (the command goes out before the claim's own message).
    assert type(requested) is PayoutRequested
    assert (requested.claim, requested.payout_key, requested.requested_by) == (
        claim, payout_key(claim.id, 2), "ss-1")
    assert type(event) is Transitioned
    assert (event.entity, event.entity_id, event.job_id, event.action, event.actor) == (
        "claim", str(claim.id), claim.job_id, "approve", "ss-1")
    assert (event.from_status, event.to_status, event.at) == ("under_review", "approved", LATER)
    # None details are left out: no override below the limit.
    assert dict(event.detail) == {"payout_key": payout_key(claim.id, 2),
                                  "amount": str(payable), "rail": "concourse"}


def test_an_override_is_on_the_approval_entry() -> None:
    claim = FakeClaim(payable=Decimal("5000.00"))
    _, event = claim.approve(ready(claim, approval(supervisor=True, override=True)),
                             actor="ops-1", at=LATER)
    assert type(event) is Transitioned
    assert event.detail["override"] is True


def test_a_refused_approval_changes_nothing() -> None:
    claim = FakeClaim()
    before = replace(claim)
    with pytest.raises(ReviewNotOpen):
        claim.approve(replace(ready(claim, approval()), review_open=False),
                      actor="ss-1", at=LATER)
    assert claim == before


def test_reject_keeps_the_reason() -> None:
    claim = FakeClaim(status=ClaimStatus.SAVED)
    [event] = claim.reject("duplicate", actor="ss-1", at=LATER)
    assert (claim.status, claim.rejected_reason, claim.updated_at) == (
        ClaimStatus.REJECTED, "duplicate", LATER)
    assert (event.action, event.from_status, event.to_status, dict(event.detail)) == (
        "reject", "saved", "rejected", {"reason": "duplicate"})


@given(money(min_cents=0, max_cents=10_000), money(min_cents=0, max_cents=10_000))
def test_open_creates_then_submits(gross: Money, deductible: Money) -> None:
    amounts = Amounts(gross=gross, deductible=deductible)
    claim = FakeClaim(status=ClaimStatus.SAVED, payable=amounts.payable.amount)
    created, submitted = claim.open(amounts, actor="cust-1", at=T0)
    assert (created.action, created.from_status, created.to_status) == ("create", None, "saved")
    assert dict(created.detail) == {"kind": "claim_credit", "gross": str(gross),
                                    "deductible": str(deductible),
                                    "payable": str(amounts.payable)}
    expected = ClaimStatus.REJECTED if amounts.payable.is_zero() else ClaimStatus.UNDER_REVIEW
    assert claim.status is expected
    assert (submitted.action, submitted.from_status, submitted.to_status) == (
        "submit", "saved", expected.value)


def choice(**changes: object) -> PaymentChoice:
    base = PaymentChoice(rail=Rail.CONCOURSE, payee=PayeeRole.CUSTOMER, payee_name="Jane Doe",
                         email="jane.doe@mail.test-payee.com", mobile="5551234567", address=None,
                         terms_accepted=True, terms_version=CURRENT_TERMS_VERSION)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_select_payment_stores_the_choice_and_audits_it_masked() -> None:
    claim = FakeClaim(rail=Rail.CHECK, payee_role=PayeeRole.CUSTOMER)
    facts = ClaimFacts(payable=Money(claim.payable), created_by="cust-1", review_open=True)
    [event] = claim.select_payment(choice(), facts, actor="cust-1", at=LATER)
    assert type(event) is Recorded and event.from_status is None and event.to_status is None
    assert (claim.rail, claim.payee_email, claim.terms_accepted_by, claim.terms_accepted_at,
            claim.payment_selected_at) == (
        Rail.CONCOURSE, "jane.doe@mail.test-payee.com", "cust-1", LATER, LATER)
    assert dict(event.detail) == {
        "rail": "concourse", "payee": "customer", "email": "j***@mail.test-payee.com",
        "mobile": "******4567", "terms_accepted": True,
        "terms_version": CURRENT_TERMS_VERSION, "replaced": "check to customer"}


def test_select_payment_refuses_by_the_machine_then_by_the_rail() -> None:
    claim = FakeClaim()
    closed = ClaimFacts(payable=Money(claim.payable), created_by="cust-1")
    with pytest.raises(ReviewNotOpen):
        claim.select_payment(choice(), closed, actor="cust-1", at=LATER)
    with pytest.raises(TermsNotAccepted):
        claim.select_payment(choice(terms_accepted=False), replace(closed, review_open=True),
                             actor="cust-1", at=LATER)
    assert claim.payment_selected_at is None


def test_confirm_payment_needs_a_selection_and_records_the_terms() -> None:
    claim = FakeClaim()
    facts = ClaimFacts(payable=Money(claim.payable), created_by="cust-1", review_open=True)
    with pytest.raises(PaymentOptionMissing):
        claim.confirm_payment(facts, CURRENT_TERMS_VERSION, actor="cust-1", at=LATER)
    [event] = claim.confirm_payment(replace(facts, payment_selected=True),
                                    CURRENT_TERMS_VERSION, actor="cust-1", at=LATER)
    assert (claim.terms_accepted_by, claim.terms_version) == ("cust-1", CURRENT_TERMS_VERSION)
    assert dict(event.detail) == {"terms_version": CURRENT_TERMS_VERSION,
                                  "payment": "concourse to customer", "amount": "250.00"}


def test_a_paid_payout_pays_the_claim_with_the_payout_on_its_entry() -> None:
    claim = FakeClaim(status=ClaimStatus.APPROVED)
    payout = FakePayout()
    assert payout.advance(PayoutEvent.PAID, payout_id="p-1", attempt_id="a-1", at=LATER,
                          provider_reference="ref-9")
    [event] = claim.follow_payout(ClaimAction.PAYOUT_PAID, payout, actor="system", at=LATER)
    assert (claim.status, claim.updated_at) == (ClaimStatus.PAID, LATER)
    assert dict(event.detail) == {"payout_key": payout.payout_key, "payout_id": "p-1",
                                  "provider_reference": "ref-9"}


def test_a_payout_event_the_table_forbids_is_refused() -> None:
    claim = FakeClaim(status=ClaimStatus.PAID)
    with pytest.raises(IllegalTransition):
        claim.follow_payout(ClaimAction.PAYOUT_FAILED, FakePayout(), actor="system", at=LATER)
    assert claim.status is ClaimStatus.PAID


def test_stale_payout_news_changes_nothing() -> None:
    payout = FakePayout(status=PayoutStatus.PAID, payout_id="p-1")
    before = replace(payout)
    assert not payout.advance(PayoutEvent.SUBMITTED, payout_id="p-1", attempt_id=None, at=LATER)
    assert payout == before


def test_a_failure_keeps_its_reason_within_the_column_and_the_attempt_on_file() -> None:
    payout = FakePayout(attempt_id="a-1", provider_reference="ref-1")
    assert payout.advance(PayoutEvent.FAILED, payout_id="p-1", attempt_id=None, at=LATER,
                          failure_reason="x" * 600)
    assert (payout.status, payout.attempt_id, payout.provider_reference, payout.updated_at) == (
        PayoutStatus.FAILED, "a-1", "ref-1", LATER)
    assert payout.failure_reason == "x" * 500


def test_a_payout_decision_names_the_approver_and_moves_nothing() -> None:
    claim = FakeClaim(status=ClaimStatus.APPROVED)
    [event] = claim.payout_decided("released", payout_key="k", payout_id="p-1",
                                   decided_by="payables-2", decided_at=T0, reason=None,
                                   at=LATER)
    assert claim.status is ClaimStatus.APPROVED
    assert (type(event), event.action, event.actor, dict(event.detail)) == (
        Recorded, "payout_released", "payables-2",
        {"payout_key": "k", "payout_id": "p-1", "decided_at": T0.isoformat()})
