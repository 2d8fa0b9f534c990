"""Claim bodies: the claim, its payment option, approval, rejection, payouts and timeline."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import EmailStr, Field

from services.claims.api.schemas.common import Address, Mobile, MoneyOut, example
from services.claims.api.schemas.work import ExceptionOut, OrderOut
from services.claims.domain.claim import ClaimKind, ClaimStatus
from services.claims.domain.payment import CURRENT_TERMS_VERSION, PayeeRole, PaymentRail
from services.claims.domain.payout import PayoutStatus
from services.claims.service.claim_views import ClaimView
from services.claims.service.payment import PaymentSelection
from services.claims.service.records import (
    AuditEventRecord,
    ClaimPayoutRecord,
    ClaimRecord,
    ServiceOrderRecord,
)
from shared.schemas import Input, Output


class PaymentSelectionIn(Input):
    model_config = example(
        {"rail": "concourse", "payee": "customer", "accept_terms": True,
         "email": "jane.doe@homemail.net", "mobile": "+15125550123",
         "terms_version": "2026-01"}
    )

    rail: PaymentRail = Field(examples=["concourse"])
    payee: PayeeRole = PayeeRole.CUSTOMER
    accept_terms: bool = Field(
        default=False, description="The Terms and Conditions checkbox; required from a customer."
    )
    email: EmailStr | None = Field(
        default=None, description="Verify or edit: where payment communications go. "
        "Omitted: the email on file.", examples=["jane.doe@homemail.net"],
    )
    mobile: Mobile | None = None
    mailing_address: Address | None = Field(
        default=None, description="For a check; omitted: the address on file."
    )
    terms_version: str = Field(
        default=CURRENT_TERMS_VERSION, min_length=1, max_length=32,
        description="The version of the Terms and Conditions the payee read and accepted.",
        examples=[CURRENT_TERMS_VERSION],
    )

    def to_command(self) -> PaymentSelection:
        return PaymentSelection(
            rail=self.rail, payee=self.payee, accept_terms=self.accept_terms,
            email=None if self.email is None else str(self.email), mobile=self.mobile,
            address=None if self.mailing_address is None else self.mailing_address.to_domain(),
            terms_version=self.terms_version,
        )


class PaymentConfirmationIn(Input):
    model_config = example({"accept_terms": True, "terms_version": "2026-01"})

    accept_terms: Literal[True] = Field(
        description="The customer accepts the payment confirmation: the selected payee, "
        "payment method and amount, under the Terms and Conditions.",
    )
    terms_version: str = Field(
        min_length=1, max_length=32, examples=[CURRENT_TERMS_VERSION],
        description="The published version the customer read (GET /v1/terms).",
    )


class ApproveIn(Input):
    model_config = example(
        {"override": False, "note": "Credit matches the replacement quote."}
    )

    override: bool = Field(
        default=False, description="Supervisor's approve override: above the approval limit "
        "or the plan's per-claim cap.",
    )
    note: str | None = Field(default=None, max_length=2000)


class RejectIn(Input):
    model_config = example(
        {"reason": "duplicate request"}
    )

    reason: str = Field(min_length=1, max_length=500, examples=["duplicate request"])


class PaymentOut(Output):
    rail: PaymentRail
    payee: PayeeRole
    payee_name: str
    email: str | None
    mobile: str | None
    mailing_address: Address | None
    terms_accepted_by: str | None
    terms_accepted_at: datetime | None
    terms_version: str | None = Field(examples=[CURRENT_TERMS_VERSION])
    selected_by: str
    selected_at: datetime

    @classmethod
    def of(cls, row: ClaimRecord) -> PaymentOut | None:
        if row.rail is None or row.payee_role is None or row.payee_name is None \
                or row.payment_selected_by is None or row.payment_selected_at is None:
            return None
        return cls(
            rail=row.rail, payee=row.payee_role, payee_name=row.payee_name,
            email=row.payee_email, mobile=row.payee_mobile,
            mailing_address=Address.from_columns(row, "payee_address_"),
            terms_accepted_by=row.terms_accepted_by, terms_accepted_at=row.terms_accepted_at,
            terms_version=row.terms_version,
            selected_by=row.payment_selected_by, selected_at=row.payment_selected_at,
        )


class PayoutOut(Output):
    payout_key: str = Field(examples=["claim:7f1c2a9e-...:payout:1"])
    amount: MoneyOut
    rail: PaymentRail
    status: PayoutStatus
    requested_by: str
    requested_at: datetime
    payout_id: str | None
    provider_reference: str | None
    failure_reason: str | None

    @classmethod
    def of(cls, row: ClaimPayoutRecord) -> PayoutOut:
        return cls.model_validate(row)


class ClaimSummaryOut(Output):
    id: uuid.UUID
    job_id: uuid.UUID
    contract_id: uuid.UUID
    customer_id: str
    kind: ClaimKind
    status: ClaimStatus = Field(examples=["under_review"])
    gross: MoneyOut
    deductible: MoneyOut
    payable: MoneyOut
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: ClaimRecord) -> ClaimSummaryOut:
        return cls.model_validate(row)


class ClaimOut(ClaimSummaryOut):
    approved_by: str | None
    approved_at: datetime | None
    rejected_reason: str | None
    payment: PaymentOut | None
    review: ExceptionOut | None = Field(description="The open SS-Claim Credit Review, if any.")
    payouts: list[PayoutOut]

    @classmethod
    def of_view(cls, view: ClaimView) -> ClaimOut:
        summary = ClaimSummaryOut.of(view.claim)
        claim = view.claim
        return cls(
            **dict(summary), approved_by=claim.approved_by, approved_at=claim.approved_at,
            rejected_reason=claim.rejected_reason, payment=PaymentOut.of(claim),
            review=None if view.review is None else ExceptionOut.of(view.review),
            payouts=[PayoutOut.of(p) for p in view.payouts],
        )

    @classmethod
    def render(cls, view: ClaimView) -> dict[str, Any]:
        """The JSON body, as stored for an idempotent replay."""
        return cls.of_view(view).model_dump(mode="json")


class TimelineEventOut(Output):
    at: datetime
    entity: str = Field(examples=["claim"])
    entity_id: str
    action: str = Field(examples=["approve"])
    actor: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, row: AuditEventRecord) -> TimelineEventOut:
        return cls.model_validate(row)


class ClaimCreditOut(Output):
    """The Service Order screen's claim: amount, status and the selected payment details."""

    claim_id: uuid.UUID
    kind: ClaimKind
    status: ClaimStatus
    payable: MoneyOut
    payment: PaymentOut | None

    @classmethod
    def of(cls, row: ClaimRecord) -> ClaimCreditOut:
        return cls(claim_id=row.id, kind=row.kind, status=row.status, payable=row.payable,
                   payment=PaymentOut.of(row))


class ServiceOrderOut(OrderOut):
    claim: ClaimCreditOut | None = Field(
        description="The claim on the order (a Claim Credit or BYOP reimbursement) with its "
        "payment details, terms version and acceptance time."
    )

    @classmethod
    def of_order(cls, order: ServiceOrderRecord, claim: ClaimRecord | None) -> ServiceOrderOut:
        return cls(**dict(OrderOut.of(order)),
                   claim=None if claim is None else ClaimCreditOut.of(claim))


class AcceptanceOut(OrderOut):
    """The order after the choice, and the claim it opened (Claim Credit only)."""

    claim: ClaimOut | None
