"""Request and response bodies of the payouts API. Payee PII is masked in every response."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.payouts.domain.model import AttemptStatus, PayoutStatus, Rail
from services.payouts.domain.reconciliation import MismatchKind
from services.payouts.service.callbacks import CallbackResult
from services.payouts.service.queries import PayoutView
from services.payouts.service.reconcile import Report
from services.payouts.service.records import AttemptRecord, PayoutRecord, PayoutStatusHistoryRecord
from shared.headers import NO_NUL
from shared.logging import mask_email, mask_tail
from shared.messaging.contracts import PayoutSource
from shared.money import Amount

EXAMPLE_ID = "0b8f5a9e-4f5c-4e0b-9a53-3f8f5f0d2a11"


class MaskedPayee(BaseModel):
    kind: str = Field(examples=["customer"])
    name: str = Field(examples=["Jane Doe"])
    email: str | None = Field(default=None, examples=["j***@gmail.com"])
    mobile: str | None = Field(default=None, examples=["********0100"])
    zelle_token: str | None = Field(default=None, examples=["p***@fixit-pros.net"])
    address: str | None = Field(default=None, description="City, state and ZIP only.",
                                examples=["Springfield, IL 62701"])

    @classmethod
    def of(cls, payee: dict[str, Any]) -> MaskedPayee:
        email, mobile, token = payee.get("email"), payee.get("mobile"), payee.get("zelle_token")
        address = payee.get("address")
        return cls(
            kind=str(payee.get("kind", "customer")),
            name=str(payee.get("name", "")),
            email=mask_email(str(email)) if email else None,
            mobile=mask_tail(str(mobile)) if mobile else None,
            zelle_token=_mask_token(str(token)) if token else None,
            address=f"{address['city']}, {address['state']} {address['zip']}"
            if address else None,
        )


def _mask_token(token: str) -> str | None:
    return mask_email(token) if "@" in token else mask_tail(token)


class PayoutSummary(BaseModel):
    id: uuid.UUID = Field(examples=[EXAMPLE_ID])
    payout_key: str = Field(examples=["claim:7f1c2a:claim_credit"])
    source: PayoutSource
    amount: Amount
    currency: str = Field(examples=["USD"])
    rail: Rail
    payee: MaskedPayee
    memo: str | None = Field(default=None, examples=["Claim credit 7f1c2a"])
    status: PayoutStatus
    status_reason: str | None = Field(default=None, description="Why it failed or waits.")
    requested_rail: Rail | None = Field(default=None,
                                        description="Differs from rail after a fallback.")
    deadline_at: datetime | None = Field(default=None,
                                         description="Promised by (Zelle to a service pro).")
    sla_breached_at: datetime | None = None
    approval_reasons: list[str] | None = Field(default=None,
                                               examples=[["first payout to this payee"]])
    decided_by: str | None = Field(default=None, examples=["payables-pat"])
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: PayoutRecord) -> PayoutSummary:
        return cls(
            id=row.id, payout_key=row.payout_key,
            source=PayoutSource.model_validate(row.source), amount=row.amount,
            currency=row.currency, rail=Rail(row.rail), payee=MaskedPayee.of(row.payee),
            memo=row.memo, status=PayoutStatus(row.status), status_reason=row.status_reason,
            requested_rail=Rail(row.requested_rail) if row.requested_rail else None,
            deadline_at=row.deadline_at, sla_breached_at=row.sla_breached_at,
            approval_reasons=row.approval_reasons, decided_by=row.decided_by,
            created_at=row.created_at, updated_at=row.updated_at,
        )


class StatusChange(BaseModel):
    # A default, so the document's examples (FastAPI drops their nulls) show the first change.
    from_status: PayoutStatus | None = Field(default=None, description="None on the first.")
    to_status: PayoutStatus
    action: str = Field(examples=["provider_completed"])
    reason: str | None = None
    attempt_id: str | None = Field(default=None, examples=["K3V9Q2M7X1B4C8D5"])
    actor: str = Field(examples=["concourse-callback"])
    occurred_at: datetime

    @classmethod
    def of(cls, row: PayoutStatusHistoryRecord) -> StatusChange:
        return cls(
            from_status=PayoutStatus(row.from_status) if row.from_status else None,
            to_status=PayoutStatus(row.to_status), action=row.action, reason=row.reason,
            attempt_id=row.attempt_id, actor=row.actor, occurred_at=row.occurred_at,
        )


class AttemptView(BaseModel):
    id: str = Field(description="Also the provider's endToEndId.",
                    examples=["K3V9Q2M7X1B4C8D5"])
    number: int = Field(examples=[1])
    status: AttemptStatus
    amount: Amount
    provider_reference: str | None = Field(default=None, examples=["CNC-3f9a1c2b7d4e"])
    provider_status: str | None = Field(default=None, examples=["completed"])
    status_reason: str | None = None
    sends: int = Field(description="How often the instruction was sent (same endToEndId).")
    checks: int = Field(description="How often its status was queried.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: AttemptRecord) -> AttemptView:
        return cls(
            id=row.id, number=row.number, status=AttemptStatus(row.status), amount=row.amount,
            provider_reference=row.provider_reference, provider_status=row.provider_status,
            status_reason=row.status_reason, sends=row.sends, checks=row.checks,
            created_at=row.created_at, updated_at=row.updated_at,
        )


class PayoutDetail(PayoutSummary):
    history: list[StatusChange]
    attempts: list[AttemptView]

    @classmethod
    def of_view(cls, view: PayoutView) -> PayoutDetail:
        return cls(
            **PayoutSummary.of(view.payout).model_dump(),
            history=[StatusChange.of(h) for h in view.history],
            attempts=[AttemptView.of(a) for a in view.attempts],
        )

    @classmethod
    def render(cls, view: PayoutView) -> dict[str, Any]:
        """The JSON body, as stored for an idempotent replay."""
        return cls.of_view(view).model_dump(mode="json")


class PayoutList(BaseModel):
    items: list[PayoutSummary]
    next_cursor: str | None = Field(default=None, description="Absent on the last page.")


class AtRiskPayout(PayoutSummary):
    hours_left: float = Field(description="Negative once the deadline has passed.")
    breached: bool


class AtRiskList(BaseModel):
    items: list[AtRiskPayout]

    @classmethod
    def of(cls, rows: Sequence[PayoutRecord], now: datetime) -> AtRiskList:
        items = []
        for row in rows:
            assert row.deadline_at is not None
            left = (row.deadline_at - now).total_seconds() / 3600
            items.append(AtRiskPayout(**PayoutSummary.of(row).model_dump(),
                                      hours_left=round(left, 2), breached=left < 0))
        return cls(items=items)


class MismatchView(BaseModel):
    kind: MismatchKind
    end_to_end_id: str = Field(examples=["K3V9Q2M7X1B4C8D5"])
    rail: str = Field(examples=["zelle"])
    payout_id: str | None = None
    detail: str = Field(examples=["ours 125.00, provider's 152.00"])


class ReconciliationReport(BaseModel):
    checked_at: datetime
    attempts: int
    ledger_entries: int
    clean: bool
    mismatches: list[MismatchView]

    @classmethod
    def of(cls, report: Report) -> ReconciliationReport:
        return cls(
            checked_at=report.checked_at, attempts=report.attempts,
            ledger_entries=report.ledger_entries, clean=not report.mismatches,
            mismatches=[MismatchView(kind=m.kind, end_to_end_id=m.end_to_end_id, rail=m.rail,
                                     payout_id=m.payout_id, detail=m.detail)
                        for m in report.mismatches],
        )


class ActionRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=500, pattern=NO_NUL,
                        examples=["verified with the payee"])


class StopRequest(ActionRequest):
    reissue: bool = Field(default=False, description="Issue a new check once stopped.")


class CallbackAck(BaseModel):
    result: CallbackResult = Field(examples=[CallbackResult.APPLIED])
