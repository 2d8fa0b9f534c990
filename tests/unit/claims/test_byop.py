"""BYOP: the stages, and the reimbursement arithmetic (conserved, never above what was spent)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given

from services.claims.domain.byop import (
    BYOP_MACHINE,
    ByopAction,
    ByopFacts,
    ByopStage,
    reimbursement,
)
from services.claims.domain.errors import IllegalTransition, InvalidAmount, ServiceProInfoMissing
from shared.money import Money

from .strategies import money

S, A = ByopStage, ByopAction


@given(authorized=money(1), invoice=money(1), deductible=money(0, 50_000))
def test_reimbursement_is_conserved_and_bounded(
    authorized: Money, invoice: Money, deductible: Money
) -> None:
    amounts = reimbursement(authorized=authorized, invoice=invoice, deductible=deductible)
    kept = amounts.gross - amounts.payable  # the part of the deductible actually applied
    assert amounts.payable + kept == amounts.gross
    assert kept <= deductible
    assert amounts.gross == min(authorized, invoice)
    assert amounts.payable <= authorized and amounts.payable <= invoice
    assert amounts.payable == Money(max(amounts.gross.amount - deductible.amount, Decimal(0)))


def test_seed_example_authorized_less_the_100_deductible() -> None:
    amounts = reimbursement(authorized=Money.of("1200.00"), invoice=Money.of("1300.00"),
                            deductible=Money.of("100.00"))
    assert amounts.payable == Money.of("1100.00")


def test_the_happy_path_through_the_stages() -> None:
    facts = ByopFacts(service_pro_named=True, estimate=Money.of("500.00"),
                      authorized=Money.of("400.00"))
    stage = S.AUTHORIZED_TO_SCHEDULE
    for action in (A.RECORD_DIAGNOSIS, A.AUTHORIZE, A.RECORD_COMPLETION, A.REQUEST_PAYMENT):
        stage = BYOP_MACHINE.fire(stage, action, facts)
    assert stage is S.PAYMENT_REQUESTED


def test_diagnosis_needs_the_pro_and_the_estimate() -> None:
    with pytest.raises(ServiceProInfoMissing):
        BYOP_MACHINE.fire(S.AUTHORIZED_TO_SCHEDULE, A.RECORD_DIAGNOSIS,
                          ByopFacts(estimate=Money.of("1.00")))
    with pytest.raises(InvalidAmount):
        BYOP_MACHINE.fire(S.AUTHORIZED_TO_SCHEDULE, A.RECORD_DIAGNOSIS,
                          ByopFacts(service_pro_named=True))


def test_the_covered_amount_cannot_exceed_the_estimate() -> None:
    facts = ByopFacts(service_pro_named=True, estimate=Money.of("500.00"),
                      authorized=Money.of("500.01"))
    with pytest.raises(InvalidAmount, match="exceeds the estimate"):
        BYOP_MACHINE.fire(S.DIAGNOSED, A.AUTHORIZE, facts)


def test_denied_is_final_and_payment_needs_completion() -> None:
    assert BYOP_MACHINE.fire(S.DIAGNOSED, A.DENY, ByopFacts()) is S.DENIED
    assert BYOP_MACHINE.allowed(S.DENIED) == []
    with pytest.raises(IllegalTransition):
        BYOP_MACHINE.fire(S.REPAIR_AUTHORIZED, A.REQUEST_PAYMENT, ByopFacts())
