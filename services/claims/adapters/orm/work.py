"""Service requests, orders, jobs, options, exceptions, job notes and BYOP cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.claims.adapters.orm.base import Base, new_id, utcnow
from services.claims.domain.byop import ByopCase, ByopStage
from services.claims.domain.options import Option, OptionKind, OptionStatus
from services.claims.domain.review import (
    CommentCode,
    ExceptionStatus,
    ExceptionType,
    JobException,
)
from services.claims.domain.work import (
    Channel,
    JobKind,
    JobStatus,
    OrderStatus,
    ServiceJob,
    ServiceOrder,
)
from shared.db.columns import MONEY, enum_of


class ServiceRequestRow(Base):
    __tablename__ = "service_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[Channel] = mapped_column(enum_of(Channel))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[ServiceOrderRow]] = relationship(
        lazy="raise", order_by="ServiceOrderRow.position"
    )


class ServiceOrderRow(Base, ServiceOrder):
    __tablename__ = "service_orders"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_requests.id"), index=True)
    position: Mapped[int]
    covered_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("covered_items.id"))
    problem: Mapped[str] = mapped_column(String(500))
    status: Mapped[OrderStatus] = mapped_column(enum_of(OrderStatus))
    closed_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    jobs: Mapped[list[ServiceJobRow]] = relationship(
        lazy="raise", order_by="ServiceJobRow.created_at"
    )
    options: Mapped[list[OptionRow]] = relationship(lazy="raise", order_by="OptionRow.position")


class ServiceJobRow(Base, ServiceJob):
    __tablename__ = "service_jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_orders.id"), index=True)
    kind: Mapped[JobKind] = mapped_column(enum_of(JobKind))
    status: Mapped[JobStatus] = mapped_column(enum_of(JobStatus))
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    technician_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The expiry timer scans New jobs by age.
    __table_args__ = (
        Index("ix_service_jobs_new_by_age", "created_at", postgresql_where=text("status = 'new'")),
    )


class OptionRow(Base, Option):
    __tablename__ = "options"
    __table_args__ = (
        # Each kind once per order; only the claim credit is cash.
        Index("uq_options_order_kind", "order_id", "kind", unique=True),
        CheckConstraint(
            "(kind = 'claim_credit') = (amount IS NOT NULL)", name="amount_iff_claim_credit"
        ),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_orders.id"))
    position: Mapped[int]
    kind: Mapped[OptionKind] = mapped_column(enum_of(OptionKind))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    description: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[OptionStatus] = mapped_column(enum_of(OptionStatus))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    posted_by: Mapped[str] = mapped_column(String(120))
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobExceptionRow(Base, JobException):
    __tablename__ = "job_exceptions"
    __table_args__ = (
        # One open exception of a type per job: a second "open" review would let the
        # Concourse guard pass on the wrong work item.
        Index(
            "uq_job_exceptions_open_per_type", "job_id", "type", unique=True,
            postgresql_where=text("status <> 'complete'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_jobs.id"), index=True)
    claim_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("claims.id"))
    type: Mapped[ExceptionType] = mapped_column(enum_of(ExceptionType))
    comment_code: Mapped[CommentCode] = mapped_column(enum_of(CommentCode))
    status: Mapped[ExceptionStatus] = mapped_column(enum_of(ExceptionStatus))
    opened_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobNoteRow(Base):
    """Notes are appended, never edited."""

    __tablename__ = "job_notes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_jobs.id"), index=True)
    # Set when the note belongs to an exception (still on the job's notes, in order).
    exception_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job_exceptions.id"), index=True
    )
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ByopCaseRow(Base, ByopCase):
    __tablename__ = "byop_cases"
    __table_args__ = (
        CheckConstraint("estimate IS NULL OR estimate > 0", name="estimate_positive"),
        CheckConstraint("authorized IS NULL OR authorized > 0", name="authorized_positive"),
        CheckConstraint("invoice IS NULL OR invoice > 0", name="invoice_positive"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_jobs.id"), primary_key=True)
    stage: Mapped[ByopStage] = mapped_column(enum_of(ByopStage))
    pro_name: Mapped[str | None] = mapped_column(String(120))
    pro_email: Mapped[str | None] = mapped_column(String(254))
    pro_mobile: Mapped[str | None] = mapped_column(String(16))
    pro_zelle_token: Mapped[str | None] = mapped_column(String(64))
    pro_address_line1: Mapped[str | None] = mapped_column(String(64))
    pro_address_line2: Mapped[str | None] = mapped_column(String(64))
    pro_address_city: Mapped[str | None] = mapped_column(String(64))
    pro_address_state: Mapped[str | None] = mapped_column(String(2))
    pro_address_zip: Mapped[str | None] = mapped_column(String(10))
    diagnosis: Mapped[str | None] = mapped_column(Text)
    estimate: Mapped[Decimal | None] = mapped_column(MONEY)
    authorized: Mapped[Decimal | None] = mapped_column(MONEY)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    invoice: Mapped[Decimal | None] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
