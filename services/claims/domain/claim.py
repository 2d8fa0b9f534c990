"""The claim: the money side of a service job, and its state machine.

Saved -> (submit) Under Review | Rejected (nothing payable); Under Review -> (approve) Approved,
once a payment option is selected and the customer accepted the payment confirmation (the terms:
with their own selection, or afterwards for a BYOP service pro's payment form, seed 001 stage 3);
Approved -> Transferred (payouts took it) -> Paid. A confirmed payout failure or cancellation,
or money returned after payment, reopens the claim (Under Review, its review exception in Follow
Up) so another payment option can be chosen and approved: paying again is safe only because the
first payout is known not to have paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.claims.domain.approval import Approval
from services.claims.domain.errors import (
    DomainError,
    NothingPayable,
    PaymentNotConfirmed,
    PaymentOptionMissing,
    ReviewNotOpen,
)
from shared.domain.machine import Rule, StateMachine, all_of, fan_in
from shared.money import Money


class ClaimKind(StrEnum):
    CLAIM_CREDIT = "claim_credit"
    BYOP_REIMBURSEMENT = "byop_reimbursement"


class ClaimStatus(StrEnum):
    SAVED = "saved"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    TRANSFERRED = "transferred"
    PAID = "paid"


class ClaimAction(StrEnum):
    SUBMIT = "submit"
    SELECT_PAYMENT = "select_payment"
    CONFIRM_PAYMENT = "confirm_payment"
    APPROVE = "approve"
    REJECT = "reject"
    PAYOUT_SUBMITTED = "payout_submitted"
    PAYOUT_PAID = "payout_paid"
    PAYOUT_FAILED = "payout_failed"
    PAYOUT_CANCELLED = "payout_cancelled"
    PAYOUT_RETURNED = "payout_returned"


SETTLED_STATUSES = frozenset({ClaimStatus.PAID, ClaimStatus.REJECTED})


@dataclass(frozen=True)
class ClaimFacts:
    payable: Money
    created_by: str
    review_open: bool = False
    payment_selected: bool = False
    # The customer accepted the payment confirmation (the terms) for the details selected.
    payment_confirmed: bool = False
    approval: Approval | None = None


@dataclass(frozen=True)
class Amounts:
    """What is owed: the gross less the deductible, never below zero."""

    gross: Money
    deductible: Money

    @property
    def payable(self) -> Money:
        return self.gross.minus_floor_zero(self.deductible)


def _payable(facts: ClaimFacts) -> DomainError | None:
    if facts.payable.is_zero():
        return NothingPayable("nothing is payable on this claim")
    return None


def _nothing_payable(facts: ClaimFacts) -> DomainError | None:
    return None if facts.payable.is_zero() else NothingPayable("the claim has a payable amount")


def _review_open(facts: ClaimFacts) -> DomainError | None:
    if not facts.review_open:
        return ReviewNotOpen(
            "an open SS-Claim Credit Review exception on the job is required first"
        )
    return None


def _payment_selected(facts: ClaimFacts) -> DomainError | None:
    if not facts.payment_selected:
        return PaymentOptionMissing("the payee has not selected a payment option yet")
    return None


def _payment_confirmed(facts: ClaimFacts) -> DomainError | None:
    if not facts.payment_confirmed:
        return PaymentNotConfirmed(
            "the customer has not accepted the payment confirmation (Terms and Conditions) "
            "for the selected payment; it goes to payables only after they do"
        )
    return None


def _approval(facts: ClaimFacts) -> DomainError | None:
    assert facts.approval is not None, "approve needs the approval facts"
    return facts.approval.refusal(payable=facts.payable, created_by=facts.created_by)


_S = ClaimStatus
_A = ClaimAction
IN_PAYMENT = (_S.APPROVED, _S.TRANSFERRED)
CLAIM_MACHINE: StateMachine[ClaimStatus, ClaimAction, ClaimFacts] = StateMachine(
    "claim",
    [
        Rule(_S.SAVED, _A.SUBMIT, _S.UNDER_REVIEW, _payable),
        Rule(_S.SAVED, _A.SUBMIT, _S.REJECTED, _nothing_payable),
        Rule(_S.UNDER_REVIEW, _A.SELECT_PAYMENT, _S.UNDER_REVIEW, _review_open),
        Rule(_S.UNDER_REVIEW, _A.CONFIRM_PAYMENT, _S.UNDER_REVIEW,
             all_of(_review_open, _payment_selected)),
        Rule(
            _S.UNDER_REVIEW, _A.APPROVE, _S.APPROVED,
            all_of(_review_open, _payment_selected, _payment_confirmed, _payable, _approval),
        ),
        *fan_in((_S.SAVED, _S.UNDER_REVIEW), _A.REJECT, _S.REJECTED),
        Rule(_S.APPROVED, _A.PAYOUT_SUBMITTED, _S.TRANSFERRED),
        # Paid may overtake Submitted: the events travel independently.
        *fan_in(IN_PAYMENT, _A.PAYOUT_PAID, _S.PAID),
        *fan_in(IN_PAYMENT, _A.PAYOUT_FAILED, _S.UNDER_REVIEW),
        *fan_in(IN_PAYMENT, _A.PAYOUT_CANCELLED, _S.UNDER_REVIEW),
        # The money came back (after Paid, or overtaking it): the claim is owed again.
        *fan_in((*IN_PAYMENT, _S.PAID), _A.PAYOUT_RETURNED, _S.UNDER_REVIEW),
    ],
)
