"""The claim's transition table and its guards."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.claims.domain.approval import Approval
from services.claims.domain.claim import (
    CLAIM_MACHINE,
    Amounts,
    ClaimAction,
    ClaimFacts,
    ClaimStatus,
)
from services.claims.domain.errors import (
    IllegalTransition,
    NothingPayable,
    PaymentNotConfirmed,
    PaymentOptionMissing,
    ReviewNotOpen,
    SelfApproval,
)
from shared.money import Money

S = ClaimStatus
A = ClaimAction


def approval(approver: str = "ss-1") -> Approval:
    return Approval(approver=approver, supervisor=False, override=False,
                    approval_limit=Money.of("1000.00"), per_claim_cap=Money.of("1000.00"),
                    remaining_aggregate=Money.of("10000.00"))


READY = ClaimFacts(payable=Money.of("250.00"), created_by="cust-1", review_open=True,
                   payment_selected=True, payment_confirmed=True, approval=approval())


def facts(payable: str = "250.00") -> ClaimFacts:
    return replace(READY, payable=Money.of(payable))


def test_submit_goes_under_review_when_something_is_payable() -> None:
    assert CLAIM_MACHINE.fire(S.SAVED, A.SUBMIT, facts()) is S.UNDER_REVIEW


def test_submit_rejects_a_claim_with_nothing_payable() -> None:
    assert CLAIM_MACHINE.fire(S.SAVED, A.SUBMIT, facts("0.00")) is S.REJECTED


def test_selecting_payment_needs_the_open_review_exception() -> None:
    assert CLAIM_MACHINE.fire(S.UNDER_REVIEW, A.SELECT_PAYMENT, READY) is S.UNDER_REVIEW
    with pytest.raises(ReviewNotOpen):
        CLAIM_MACHINE.fire(S.UNDER_REVIEW, A.SELECT_PAYMENT, replace(READY, review_open=False))


@pytest.mark.parametrize(
    ("attempt", "error"),
    [
        (replace(READY, review_open=False), ReviewNotOpen),
        (replace(READY, payment_selected=False), PaymentOptionMissing),
        (replace(READY, payment_confirmed=False), PaymentNotConfirmed),
        (replace(READY, payable=Money.zero()), NothingPayable),
        (replace(READY, approval=approval("cust-1")), SelfApproval),
    ],
)
def test_approve_guards(attempt: ClaimFacts, error: type[Exception]) -> None:
    with pytest.raises(error):
        CLAIM_MACHINE.fire(S.UNDER_REVIEW, A.APPROVE, attempt)


def test_approve_passes_when_every_guard_holds() -> None:
    assert CLAIM_MACHINE.fire(S.UNDER_REVIEW, A.APPROVE, facts()) is S.APPROVED


@pytest.mark.parametrize(
    ("source", "action", "target"),
    [
        (S.APPROVED, A.PAYOUT_SUBMITTED, S.TRANSFERRED),
        (S.APPROVED, A.PAYOUT_PAID, S.PAID),  # paid may overtake submitted
        (S.TRANSFERRED, A.PAYOUT_PAID, S.PAID),
        (S.APPROVED, A.PAYOUT_FAILED, S.UNDER_REVIEW),
        (S.TRANSFERRED, A.PAYOUT_FAILED, S.UNDER_REVIEW),
        (S.SAVED, A.REJECT, S.REJECTED),
        (S.UNDER_REVIEW, A.REJECT, S.REJECTED),
    ],
)
def test_payment_progress_and_rejection(
    source: ClaimStatus, action: ClaimAction, target: ClaimStatus
) -> None:
    assert CLAIM_MACHINE.fire(source, action, facts()) is target


@pytest.mark.parametrize(
    ("source", "action"),
    [
        (S.PAID, A.PAYOUT_PAID),
        (S.PAID, A.REJECT),
        (S.APPROVED, A.APPROVE),
        (S.APPROVED, A.SELECT_PAYMENT),
        (S.REJECTED, A.APPROVE),
        (S.SAVED, A.APPROVE),
        (S.TRANSFERRED, A.REJECT),
    ],
)
def test_illegal_moves_are_refused(source: ClaimStatus, action: ClaimAction) -> None:
    with pytest.raises(IllegalTransition):
        CLAIM_MACHINE.fire(source, action, facts())


def test_rejected_is_terminal_and_paid_reopens_only_on_a_return() -> None:
    assert CLAIM_MACHINE.allowed(S.REJECTED) == []
    assert CLAIM_MACHINE.allowed(S.PAID) == [A.PAYOUT_RETURNED]


def test_amounts_floor_at_zero() -> None:
    assert Amounts(Money.of("80.00"), Money.of("100.00")).payable == Money.zero()
    assert Amounts(Money.of("250.00"), Money.zero()).payable == Money.of("250.00")
