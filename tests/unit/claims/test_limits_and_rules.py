"""Limits as accumulators, microwave auto-replacement, cancelling a request, exception types."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.claims.domain.contract import (
    Brand,
    CookType,
    InstallType,
    ItemKind,
    Limits,
    MicrowaveFacts,
    auto_replacement_credit,
    auto_replacement_refusal,
)
from services.claims.domain.errors import (
    AggregateLimitExceeded,
    DomainError,
    InvalidException,
    PaymentLocked,
    ReplacementCreditExceeded,
    ReplacementCreditUsed,
    RequestNotCancellable,
    TechnicianAlreadyOut,
)
from services.claims.domain.limits import Hold, HoldStatus, LimitBook, LimitKind
from services.claims.domain.payment import ensure_changeable
from services.claims.domain.review import CommentCode, ExceptionType, validate_new_exception
from services.claims.domain.work import JobSnapshot, JobStatus, ensure_request_cancellable
from shared.money import Money


def limits(aggregate: str = "1000.00", credit: str | None = "250.00") -> Limits:
    return Limits(Money.of("100.00"), Money.of("1000.00"), Money.of(aggregate),
                  None if credit is None else Money.of(credit), {"hvac": Money.of("150.00")})


def test_deductible_is_per_trade_with_the_plan_default() -> None:
    assert limits().deductible_for("hvac") == Money.of("150.00")
    assert limits().deductible_for("microwave") == Money.of("100.00")


def test_reserved_and_consumed_holds_count_released_ones_do_not() -> None:
    holds = [Hold(LimitKind.ANNUAL_AGGREGATE, Money.of("300.00"), HoldStatus.RESERVED),
             Hold(LimitKind.ANNUAL_AGGREGATE, Money.of("200.00"), HoldStatus.CONSUMED),
             Hold(LimitKind.ANNUAL_AGGREGATE, Money.of("400.00"), HoldStatus.RELEASED)]
    assert LimitBook.of(limits(), holds).remaining_aggregate == Money.of("500.00")


@pytest.mark.parametrize(
    "holds, amount, claim_credit, error",
    [
        ([], "1000.01", False, AggregateLimitExceeded),
        ([Hold(LimitKind.ANNUAL_AGGREGATE, Money.of("900.00"))], "100.01", False,
         AggregateLimitExceeded),
        ([Hold(LimitKind.REPLACEMENT_CREDIT, Money.of("10.00"))], "10.00", True,
         ReplacementCreditUsed),
        ([], "250.01", True, ReplacementCreditExceeded),
    ],
)
def test_a_reservation_past_a_limit_is_refused_by_name(
    holds: list[Hold], amount: str, claim_credit: bool, error: type[DomainError]
) -> None:
    with pytest.raises(error):
        LimitBook.of(limits(), holds).reserve(Money.of(amount), claim_credit=claim_credit)


def test_a_claim_credit_holds_both_limits_a_reimbursement_only_the_aggregate() -> None:
    book = LimitBook.of(limits(), [])
    credit = book.reserve(Money.of("250.00"), claim_credit=True)
    assert {h.limit for h in credit} == {LimitKind.ANNUAL_AGGREGATE, LimitKind.REPLACEMENT_CREDIT}
    assert [h.limit for h in book.reserve(Money.of("250.00"), claim_credit=False)] == [
        LimitKind.ANNUAL_AGGREGATE]
    # A plan without a replacement credit caps claim credits by the aggregate only.
    plain = LimitBook.of(limits(credit=None), [])
    assert len(plain.reserve(Money.of("900.00"), claim_credit=True)) == 1


@given(st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("600.00"), places=2),
                max_size=12))
def test_reservations_never_exceed_the_aggregate(amounts: list[Decimal]) -> None:
    holds: list[Hold] = []
    for amount in amounts:
        book = LimitBook.of(limits(credit=None), holds)
        try:
            holds += book.reserve(Money(amount), claim_credit=False)
        except AggregateLimitExceeded:
            assert book.remaining_aggregate < Money(amount)
    total = sum((h.amount.amount for h in holds), Decimal("0"))
    assert total <= Decimal("1000.00")
    assert LimitBook.of(limits(credit=None), holds).remaining_aggregate == Money(
        Decimal("1000.00") - total)


ELIGIBLE = MicrowaveFacts(Brand.CINCH, ItemKind.MICROWAVE, InstallType.OVER_THE_RANGE,
                          CookType.STANDARD, "WMH31017HS", "SN-1")


@pytest.mark.parametrize(
    "changes, refusal",
    [
        ({}, None),
        ({"install": InstallType.BUILT_IN}, None),
        ({"brand": Brand.SEARS_HOME_WARRANTY}, "Sears Home Warranty"),
        ({"install": InstallType.COUNTERTOP}, "built-in or over-the-range"),
        ({"install": None}, "built-in or over-the-range"),
        ({"cook": CookType.CONVECTION}, "standard cook type"),
        ({"model": None}, "model and serial"),
        ({"serial": "  "}, "model and serial"),
        ({"kind": ItemKind.OVEN}, "only microwaves"),
    ],
)
def test_microwave_auto_replacement_eligibility(
    changes: dict[str, Any], refusal: str | None
) -> None:
    facts = dataclasses.replace(ELIGIBLE, **changes)
    answer = auto_replacement_refusal(facts)
    assert answer is None if refusal is None else refusal in (answer or "")


@pytest.mark.parametrize(
    "jobs, error",
    [
        ([JobSnapshot(JobStatus.NEW, False)], None),
        ([JobSnapshot(JobStatus.ACCEPTED, False), JobSnapshot(JobStatus.EXPIRED, False)], None),
        ([JobSnapshot(JobStatus.ACCEPTED, True)], TechnicianAlreadyOut),
        ([JobSnapshot(JobStatus.COMPLETED, False)], RequestNotCancellable),
        ([JobSnapshot(JobStatus.NEW, False), JobSnapshot(JobStatus.COMPLETED, False)],
         RequestNotCancellable),
        ([JobSnapshot(JobStatus.CANCELLED, False)], RequestNotCancellable),
    ],
)
def test_cancelling_a_request(jobs: list[JobSnapshot], error: type[DomainError] | None) -> None:
    if error is None:
        ensure_request_cancellable(jobs)
    else:
        with pytest.raises(error):
            ensure_request_cancellable(jobs)


@pytest.mark.parametrize(
    "kind, code, ok",
    [
        (ExceptionType.SS_CREDIT_DEBIT_MEMO, CommentCode.CRDT, True),
        (ExceptionType.SS_CREDIT_DEBIT_MEMO, CommentCode.DBT, True),
        (ExceptionType.SS_UNAUTHORIZED_CLAIM_REVIEW, CommentCode.UNAUTH, True),
        (ExceptionType.SS_CREDIT_DEBIT_MEMO, CommentCode.UNAUTH, False),
        (ExceptionType.SS_UNAUTHORIZED_CLAIM_REVIEW, CommentCode.CRDT, False),
        (ExceptionType.SS_CLAIM_CREDIT_REVIEW, CommentCode.CCA, False),
    ],
)
def test_staff_open_typed_exceptions_with_their_codes(
    kind: ExceptionType, code: CommentCode, ok: bool
) -> None:
    if ok:
        validate_new_exception(kind, code)
    else:
        with pytest.raises(InvalidException):
            validate_new_exception(kind, code)


def test_payment_details_lock_while_a_payout_is_in_flight() -> None:
    ensure_changeable(False)
    with pytest.raises(PaymentLocked):
        ensure_changeable(True)


@pytest.mark.parametrize(("plan", "offered"), [(None, "250.00"), ("400.00", "400.00")])
def test_an_auto_replaced_microwave_always_has_a_claim_credit(
    plan: str | None, offered: str
) -> None:
    credit = auto_replacement_credit(None if plan is None else Money.of(plan))
    assert credit == Money.of(offered)
