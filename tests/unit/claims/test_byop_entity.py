"""A BYOP case moves itself stage by stage and keeps what each stage brought."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given

from services.claims.domain.byop import ByopStage, ServicePro
from services.claims.domain.errors import IllegalTransition, InvalidAmount, ServiceProInfoMissing
from services.claims.domain.payment import MailingAddress
from shared.money import Money
from tests.unit.claims.fakes import T0, FakeByopCase
from tests.unit.claims.strategies import money

LATER = T0 + timedelta(days=1)
PRO = ServicePro("Ace Repairs", email="ace@repairs.test",
                 address=MailingAddress("1 Main St", "Springfield", "IL", "62701"))


def diagnosed(estimate: Money) -> FakeByopCase:
    case = FakeByopCase()
    case.record_diagnosis(PRO, "compressor", estimate, actor="byop-1", at=T0)
    return case


def test_a_diagnosis_names_the_pro_and_the_estimate() -> None:
    case = FakeByopCase()
    [event] = case.record_diagnosis(PRO, "compressor", Money.of("300.00"), actor="byop-1",
                                    at=LATER)
    assert (case.stage, case.pro_name, case.pro_address_city, case.estimate,
            case.updated_at) == (ByopStage.DIAGNOSED, "Ace Repairs", "Springfield",
                                 Decimal("300.00"), LATER)
    assert (event.entity, event.entity_id, event.from_status, event.to_status,
            dict(event.detail)) == ("byop", str(case.job_id), "authorized_to_schedule",
                                    "diagnosed", {"estimate": "300.00"})


def test_a_diagnosis_without_the_pro_s_name_changes_nothing() -> None:
    case = FakeByopCase()
    with pytest.raises(ServiceProInfoMissing):
        case.record_diagnosis(ServicePro("  "), "compressor", Money.of("300.00"),
                              actor="byop-1", at=LATER)
    assert (case.stage, case.pro_name) == (ByopStage.AUTHORIZED_TO_SCHEDULE, None)


@given(money(min_cents=1, max_cents=100_000), money(min_cents=1, max_cents=100_000))
def test_coverage_is_at_most_the_estimate_and_the_limits(estimate: Money,
                                                         authorized: Money) -> None:
    case = diagnosed(estimate)
    limit = Money.of("500.00")
    if authorized > estimate or authorized > limit:
        with pytest.raises(InvalidAmount):
            case.decide(authorized, "ok", within_limits=limit, actor="byop-1", at=LATER)
        assert (case.stage, case.authorized) == (ByopStage.DIAGNOSED, None)
    else:
        [event] = case.decide(authorized, "ok", within_limits=limit, actor="byop-1", at=LATER)
        assert (case.stage, case.authorized) == (ByopStage.REPAIR_AUTHORIZED, authorized.amount)
        assert dict(event.detail) == {"authorized": str(authorized), "reason": "ok"}


def test_a_denial_keeps_its_reason_and_ends_the_case() -> None:
    case = diagnosed(Money.of("300.00"))
    [event] = case.decide(None, "not covered", within_limits=Money.of("500.00"),
                          actor="byop-1", at=LATER)
    assert (case.stage, case.decision_reason, event.to_status) == (
        ByopStage.DENIED, "not covered", "denied")
    with pytest.raises(IllegalTransition):
        case.record_completion(Money.of("100.00"), actor="byop-1", at=LATER)


def test_completion_then_payment_request() -> None:
    case = diagnosed(Money.of("300.00"))
    case.decide(Money.of("250.00"), "ok", within_limits=Money.of("500.00"), actor="byop-1",
                at=T0)
    [done] = case.record_completion(Money.of("240.00"), actor="byop-1", at=LATER)
    assert (case.stage, case.invoice, dict(done.detail)) == (
        ByopStage.COMPLETED, Decimal("240.00"), {"invoice": "240.00"})
    [asked] = case.request_payment(actor="byop-1", at=LATER)
    assert (case.stage, asked.action, dict(asked.detail)) == (
        ByopStage.PAYMENT_REQUESTED, "request_payment", {})
