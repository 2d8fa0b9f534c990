"""The API's responses render any payout record, not only an ORM row: a plain fake is enough."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from services.payouts.api.schemas import AttemptView, PayoutSummary
from services.payouts.service.records import AttemptRecord, PayoutRecord

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class FakePayout:
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    payout_key: str = "claim:7f1c2a:claim_credit"
    source: dict[str, Any] = field(
        default_factory=lambda: {"claim_id": "7f1c2a", "kind": "claim_credit"})
    amount: Decimal = Decimal("125.00")
    currency: str = "USD"
    rail: str = "zelle"
    payee: dict[str, Any] = field(default_factory=lambda: {
        "kind": "customer", "name": "Jane Doe", "email": "jane.doe@homemail.net",
        "mobile": "+15125550100", "address": {"city": "Austin", "state": "TX", "zip": "78701"},
    })
    memo: str | None = None
    status: str = "paid"
    status_reason: str | None = None
    requested_rail: str | None = "concourse"
    deadline_at: datetime | None = None
    sla_breached_at: datetime | None = None
    approval_reasons: list[str] | None = None
    decided_by: str | None = None
    created_at: datetime = AT
    updated_at: datetime = AT


@dataclass(frozen=True)
class FakeAttempt:
    id: str = "K3V9Q2M7X1B4C8D5"
    number: int = 1
    status: str = "paid"
    amount: Decimal = Decimal("125.00")
    provider_reference: str | None = "ZEL-1"
    provider_status: str | None = "completed"
    status_reason: str | None = None
    sends: int = 1
    checks: int = 0
    created_at: datetime = AT
    updated_at: datetime = AT


def test_a_payout_summary_masks_the_payee_of_any_record() -> None:
    record: PayoutRecord = FakePayout()
    summary = PayoutSummary.of(record).model_dump(mode="json")
    assert summary["payee"] == {
        "kind": "customer", "name": "Jane Doe", "email": "j***@homemail.net",
        "mobile": "********0100", "zelle_token": None, "address": "Austin, TX 78701",
    }
    assert (summary["rail"], summary["requested_rail"], summary["status"]) == (
        "zelle", "concourse", "paid")
    assert summary["source"] == {"claim_id": "7f1c2a", "service_job_id": None,
                                 "contract_id": None, "kind": "claim_credit"}


def test_an_attempt_renders_from_any_record() -> None:
    record: AttemptRecord = FakeAttempt()
    view = AttemptView.of(record)
    assert (view.id, view.status, view.sends, view.provider_reference) == (
        "K3V9Q2M7X1B4C8D5", "paid", 1, "ZEL-1")
