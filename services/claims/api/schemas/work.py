"""Service request, order, job, option, exception and note bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.claims.adapters.orm import (
    JobExceptionRow,
    JobNoteRow,
    OptionRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.api.schemas.common import Input, MoneyOut, Output
from services.claims.domain.options import Offer, OptionKind, OptionStatus
from services.claims.domain.review import CommentCode, ExceptionStatus, ExceptionType
from services.claims.domain.work import Channel, JobKind, JobStatus, OrderStatus
from services.claims.service.work import JobView, NewOrder
from shared.money import Amount, Money

Reason = Field(min_length=1, max_length=200, examples=["customer no longer needs service"])


class FailingItemIn(Input):
    covered_item_id: uuid.UUID
    problem: str = Field(min_length=1, max_length=500, examples=["Microwave does not heat"])

    def to_command(self) -> NewOrder:
        return NewOrder(self.covered_item_id, self.problem)


class ServiceRequestIn(Input):
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
    options: list[OptionIn] = Field(min_length=1, max_length=3)


class JobTransitionIn(Input):
    action: Literal["accept", "reject", "complete", "cancel"]
    reason: str | None = Field(default=None, max_length=200,
                               description="Required to reject or cancel.")


class CloseOrderIn(Input):
    reason: str = Reason


class NoteIn(Input):
    text: str = Field(min_length=1, max_length=2000)


class ExceptionTransitionIn(Input):
    action: Literal["start", "pend", "follow_up", "resume"]
    note: str | None = Field(default=None, max_length=2000)


class OptionOut(Output):
    id: uuid.UUID
    kind: OptionKind
    amount: MoneyOut | None
    description: str | None
    status: OptionStatus
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, row: OptionRow) -> OptionOut:
        return cls.model_validate(row)


class JobOut(Output):
    id: uuid.UUID
    order_id: uuid.UUID
    kind: JobKind
    status: JobStatus
    cancel_reason: str | None
    created_at: datetime
    status_changed_at: datetime

    @classmethod
    def of(cls, row: ServiceJobRow) -> JobOut:
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
    def of(cls, row: ServiceOrderRow) -> OrderOut:
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
    def of(cls, row: ServiceRequestRow) -> ServiceRequestOut:
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
    def of(cls, row: JobExceptionRow) -> ExceptionOut:
        return cls.model_validate(row)


class NoteOut(Output):
    author: str
    text: str = Field(examples=["Customer (cust-1001) declined Replacement; accepted Claim "
                                "Credit of $250.00."])
    created_at: datetime

    @classmethod
    def of(cls, row: JobNoteRow) -> NoteOut:
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
            cancel_reason=job.cancel_reason, created_at=job.created_at,
            status_changed_at=job.status_changed_at, request_id=view.request.id,
            customer_id=view.request.customer_id, claim_id=view.claim_id,
            exceptions=[ExceptionOut.of(e) for e in view.exceptions],
            notes=[NoteOut.of(n) for n in view.notes],
        )
