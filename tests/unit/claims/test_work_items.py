"""Jobs, orders, options and review exceptions: their tables and rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.claims.domain.contract import ContractStatus, ItemKind, ensure_entitled
from services.claims.domain.errors import (
    IllegalTransition,
    InvalidOptions,
    JobNotStale,
    NotEntitled,
    ReasonRequired,
)
from services.claims.domain.options import (
    Offer,
    OptionKind,
    acceptance_note,
    validate_offers,
)
from services.claims.domain.review import (
    EXCEPTION_MACHINE,
    STAFF_EXCEPTION_ACTIONS,
    CommentCode,
    ExceptionAction,
    ExceptionStatus,
    review_comment,
)
from services.claims.domain.work import JOB_MACHINE, JobAction, JobFacts, JobStatus
from shared.money import Money

CREDIT = Offer(OptionKind.CLAIM_CREDIT, Money.of("250.00"))
CAP = Money.of("1000.00")


@pytest.mark.parametrize(
    "status", [ContractStatus.PENDING, ContractStatus.CANCELLED, ContractStatus.DUNNING]
)
def test_only_active_contracts_are_entitled(status: ContractStatus) -> None:
    ensure_entitled(ContractStatus.ACTIVE)
    with pytest.raises(NotEntitled):
        ensure_entitled(status)


def test_a_job_expires_only_after_24_hours_new() -> None:
    with pytest.raises(JobNotStale):
        JOB_MACHINE.fire(JobStatus.NEW, JobAction.EXPIRE, JobFacts(age=timedelta(hours=23)))
    assert JOB_MACHINE.fire(JobStatus.NEW, JobAction.EXPIRE, JobFacts(age=timedelta(hours=24))) \
        is JobStatus.EXPIRED
    with pytest.raises(IllegalTransition):
        JOB_MACHINE.fire(JobStatus.ACCEPTED, JobAction.EXPIRE, JobFacts(age=timedelta(days=9)))


def test_cancelling_needs_a_reason_and_completed_locks_the_job() -> None:
    with pytest.raises(ReasonRequired):
        JOB_MACHINE.fire(JobStatus.NEW, JobAction.CANCEL, JobFacts(age=timedelta(0), reason=" "))
    cancelled = JOB_MACHINE.fire(
        JobStatus.ACCEPTED, JobAction.CANCEL, JobFacts(age=timedelta(0), reason="duplicate")
    )
    assert cancelled is JobStatus.CANCELLED
    assert JOB_MACHINE.allowed(JobStatus.COMPLETED) == []


@pytest.mark.parametrize(
    "offers",
    [
        [],
        [CREDIT, CREDIT],
        [Offer(OptionKind.CLAIM_CREDIT, None)],
        [Offer(OptionKind.REPAIR, Money.of("10.00"))],
    ],
)
def test_invalid_option_sets(offers: list[Offer]) -> None:
    with pytest.raises(InvalidOptions):
        validate_offers(offers)


def test_the_job_note_says_who_declined_what_and_the_credit() -> None:
    validate_offers([Offer(OptionKind.REPLACEMENT, None), CREDIT])
    note = acceptance_note("Customer (cust-1)", CREDIT, [OptionKind.REPLACEMENT])
    assert note == "Customer (cust-1) declined Replacement; accepted Claim Credit of $250.00."


@pytest.mark.parametrize(
    ("byop", "item", "amount", "code"),
    [
        (False, ItemKind.MICROWAVE, "250.00", CommentCode.CCA),
        (False, ItemKind.MICROWAVE, "1000.01", CommentCode.CAP),
        (False, ItemKind.HVAC, "900.00", CommentCode.HVAC),
        (False, ItemKind.WATER_HEATER, "900.00", CommentCode.HWH),
        (True, ItemKind.WATER_HEATER, "5000.00", CommentCode.OUTNTWRKFRR),
    ],
)
def test_review_comment_codes(byop: bool, item: ItemKind, amount: str, code: CommentCode) -> None:
    got = review_comment(byop=byop, item=item, amount=Money.of(amount), per_claim_cap=CAP)
    assert got is code


def test_staff_work_an_exception_but_completion_is_the_systems() -> None:
    status = ExceptionStatus.OPEN
    for action in (ExceptionAction.START, ExceptionAction.PEND, ExceptionAction.RESUME,
                   ExceptionAction.FOLLOW_UP, ExceptionAction.COMPLETE):
        status = EXCEPTION_MACHINE.fire(status, action, None)
    assert status is ExceptionStatus.COMPLETE
    assert EXCEPTION_MACHINE.allowed(ExceptionStatus.COMPLETE) == []
    assert ExceptionAction.COMPLETE not in STAFF_EXCEPTION_ACTIONS
