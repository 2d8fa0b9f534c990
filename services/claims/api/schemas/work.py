"""Service request, order, job, option, exception and note bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.claims.api.schemas.common import MoneyOut, example
from services.claims.domain.options import Offer, OptionKind, OptionStatus
from services.claims.domain.review import CommentCode, ExceptionStatus, ExceptionType
from services.claims.domain.work import Channel, JobKind, JobStatus, OrderStatus
from services.claims.service.records import (
    JobExceptionRecord,
    JobNoteRecord,
    OptionRecord,
    ServiceJobRecord,
    ServiceOrderRecord,
    ServiceRequestRecord,
)
from services.claims.service.reviews import ExceptionView
from services.claims.service.work import JobView, NewOrder
from shared.money import Amount, Money
from shared.schemas import Input, Output

Reason = Field(min_length=1, max_length=200, examples=["customer no longer needs service"])


class FailingItemIn(Input):
    covered_item_id: uuid.UUID
    problem: str = Field(min_length=1, max_length=500, examples=["Microwave does not heat"])
    model: str | None = Field(default=None, max_length=64, examples=["WMH31017HS"],
                              description="As entered by the customer (auto-replacement).")
    serial: str | None = Field(default=None, max_length=64, examples=["SN-0042"])

    def to_command(self) -> NewOrder:
        return NewOrder(self.covered_item_id, self.problem, self.model, self.serial)


class ServiceRequestIn(Input):
    model_config = example(
        {"contract_id": "0b9f5c1e-6f43-4d0e-9a57-2f1f0c2d9a11", "channel": "phone",
         "items": [{"covered_item_id": "5d2f8a90-3c1b-4e7f-8d6a-1b2c3d4e5f60",
                    "problem": "Microwave does not heat", "model": "WMH31017HS",
                    "serial": "SN-0042"}]}
    )

    contract_id: uuid.UUID
    channel: Channel = Field(
        default=Channel.PHONE, description="Ignored for customers: they come in by the portal."
    )
    items: list[FailingItemIn] = Field(min_length=1, max_length=20)


class OptionIn(Input):
    kind: OptionKind
    amount: Amount | None = Field(default=None, description="Only, and required, for a credit.")
    description: str | None = Field(default=None, max_length=200)

    def to_domain(self) -> Offer:
        return Offer(self.kind, None if self.amount is None else Money(self.amount),
                     self.description)


class OptionsIn(Input):
    model_config = example(
        {"options": [{"kind": "replacement"},
                     {"kind": "claim_credit", "amount": "250.00"}]}
    )

    options: list[OptionIn] = Field(min_length=1, max_length=3)


class JobTransitionIn(Input):
    model_config = example(
        {"action": "cancel", "reason": "customer no longer needs service"}
    )

    action: Literal["accept", "reject", "complete", "cancel", "record_visit"] = Field(
        examples=["accept"]
    )
    reason: str | None = Field(default=None, max_length=200,
                               description="Required to reject or cancel.")


class CloseOrderIn(Input):
    model_config = example(
        {"reason": "duplicate order"}
    )

    reason: str = Reason


class CancelRequestIn(Input):
    model_config = example(
        {"reason": "customer fixed it themselves"}
    )

    reason: str = Reason


class NoteIn(Input):
    model_config = example(
        {"text": "Customer called back; prefers mornings."}
    )

    text: str = Field(min_length=1, max_length=2000, examples=["Customer called back."])


class ExceptionTransitionIn(Input):
    model_config = example(
        {"action": "start", "note": "Reviewing the credit amount."}
    )

    action: Literal["start", "pend", "follow_up", "resume", "complete"] = Field(
        examples=["start"],
        description="complete: for the types staff open (credit/debit memo, unauthorized claim"
        " review); an SS-Claim Credit Review completes with its claim.",
    )
    note: str | None = Field(default=None, max_length=2000)


class ExceptionIn(Input):
    model_config = example(
        {"type": "ss_credit_debit_memo_request", "comment_code": "CRDT",
         "note": "Service pro underpaid by $45.00 on the diagnosis visit."}
    )

    type: ExceptionType = Field(examples=["ss_credit_debit_memo_request"])
    comment_code: CommentCode = Field(
        examples=["CRDT"], description="CRDT or DBT for a credit/debit memo request; UNAUTH for "
        "an unauthorized claim review.",
    )
    note: str = Field(min_length=1, max_length=2000,
                      examples=["Service pro underpaid by $45.00 on the diagnosis visit."])


class OptionOut(Output):
    id: uuid.UUID
    kind: OptionKind
    amount: MoneyOut | None
    description: str | None
    status: OptionStatus
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, row: OptionRecord) -> OptionOut:
        return cls.model_validate(row)


class JobOut(Output):
    id: uuid.UUID
    order_id: uuid.UUID
    kind: JobKind
    status: JobStatus
    cancel_reason: str | None
    technician_out_at: datetime | None
    created_at: datetime
    status_changed_at: datetime

    @classmethod
    def of(cls, row: ServiceJobRecord) -> JobOut:
        return cls.model_validate(row)


class OrderOut(Output):
    id: uuid.UUID
    request_id: uuid.UUID
    covered_item_id: uuid.UUID
    problem: str
    status: OrderStatus
    closed_reason: str | None
    options: list[OptionOut]
    jobs: list[JobOut]

    @classmethod
    def of(cls, row: ServiceOrderRecord) -> OrderOut:
        return cls(
            id=row.id, request_id=row.request_id, covered_item_id=row.covered_item_id,
            problem=row.problem, status=row.status, closed_reason=row.closed_reason,
            options=[OptionOut.of(o) for o in row.options], jobs=[JobOut.of(j) for j in row.jobs],
        )


class ServiceRequestOut(Output):
    id: uuid.UUID
    contract_id: uuid.UUID
    customer_id: str
    channel: Channel
    created_by: str
    created_at: datetime
    orders: list[OrderOut]

    @classmethod
    def of(cls, row: ServiceRequestRecord) -> ServiceRequestOut:
        return cls(
            id=row.id, contract_id=row.contract_id, customer_id=row.customer_id,
            channel=row.channel, created_by=row.created_by, created_at=row.created_at,
            orders=[OrderOut.of(order) for order in row.orders],
        )


class ExceptionOut(Output):
    id: uuid.UUID
    job_id: uuid.UUID
    claim_id: uuid.UUID | None
    type: ExceptionType
    comment_code: CommentCode = Field(examples=["CCA"])
    status: ExceptionStatus
    opened_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: JobExceptionRecord) -> ExceptionOut:
        return cls.model_validate(row)


class NoteOut(Output):
    author: str
    text: str = Field(examples=["Customer (cust-1001) declined Replacement; accepted Claim "
                                "Credit of $250.00."])
    created_at: datetime

    @classmethod
    def of(cls, row: JobNoteRecord) -> NoteOut:
        return cls.model_validate(row)


class JobDetailOut(JobOut):
    request_id: uuid.UUID
    customer_id: str
    claim_id: uuid.UUID | None
    exceptions: list[ExceptionOut]
    notes: list[NoteOut]

    @classmethod
    def of_view(cls, view: JobView) -> JobDetailOut:
        job = view.job
        return cls(
            id=job.id, order_id=job.order_id, kind=job.kind, status=job.status,
            cancel_reason=job.cancel_reason, technician_out_at=job.technician_out_at,
            created_at=job.created_at,
            status_changed_at=job.status_changed_at, request_id=view.request.id,
            customer_id=view.request.customer_id, claim_id=view.claim_id,
            exceptions=[ExceptionOut.of(e) for e in view.exceptions],
            notes=[NoteOut.of(n) for n in view.notes],
        )


class ExceptionDetailOut(ExceptionOut):
    notes: list[NoteOut]

    @classmethod
    def of_view(cls, view: ExceptionView) -> ExceptionDetailOut:
        return cls(**dict(ExceptionOut.of(view.exception)),
                   notes=[NoteOut.of(n) for n in view.notes])
