"""Entities without a database: plain dataclasses that take the domain behaviour the ORM rows
take (``ClaimRow(Base, Claim)``), so a use case's rules are tested in microseconds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from services.claims.domain.byop import ByopCase, ByopStage
from services.claims.domain.claim import ClaimKind, ClaimStatus
from services.claims.domain.claim_entity import Claim
from services.claims.domain.options import Option, OptionStatus
from services.claims.domain.payment import PayeeRole, PaymentRail
from services.claims.domain.payout import ClaimPayout, PayoutStatus
from services.claims.domain.review import (
    CommentCode,
    ExceptionStatus,
    ExceptionType,
    JobException,
)
from services.claims.domain.work import JobKind, JobStatus, OrderStatus, ServiceJob, ServiceOrder

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakeClaim(Claim):
    payable: Decimal = Decimal("250.00")
    status: ClaimStatus = ClaimStatus.UNDER_REVIEW
    kind: ClaimKind = ClaimKind.CLAIM_CREDIT
    created_by: str = "cust-1"
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    job_id: uuid.UUID = field(default_factory=uuid.uuid4)
    contract_id: uuid.UUID = field(default_factory=uuid.uuid4)
    updated_at: datetime = T0
    approved_by: str | None = None
    approved_at: datetime | None = None
    rejected_reason: str | None = None
    payout_sequence: int = 0
    rail: PaymentRail | None = PaymentRail.CONCOURSE
    payee_role: PayeeRole | None = PayeeRole.CUSTOMER
    payee_name: str | None = "Jane Doe"
    payee_email: str | None = "jane.doe@mail.test-payee.com"
    payee_mobile: str | None = None
    payee_zelle_token: str | None = None
    payee_address_line1: str | None = None
    payee_address_line2: str | None = None
    payee_address_city: str | None = None
    payee_address_state: str | None = None
    payee_address_zip: str | None = None
    terms_accepted_by: str | None = None
    terms_accepted_at: datetime | None = None
    terms_version: str | None = None
    payment_selected_by: str | None = None
    payment_selected_at: datetime | None = None


@dataclass
class FakePayout(ClaimPayout):
    payout_key: str = "claim:c:payout:1"
    amount: Decimal = Decimal("250.00")
    rail: PaymentRail = PaymentRail.CONCOURSE
    status: PayoutStatus = PayoutStatus.REQUESTED
    updated_at: datetime = T0
    payout_id: str | None = None
    attempt_id: str | None = None
    provider_reference: str | None = None
    failure_reason: str | None = None


@dataclass
class FakeJob(ServiceJob):
    status: JobStatus = JobStatus.NEW
    kind: JobKind = JobKind.DISPATCHED
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    created_at: datetime = T0
    status_changed_at: datetime = T0
    cancel_reason: str | None = None
    technician_out_at: datetime | None = None


@dataclass
class FakeOrder(ServiceOrder):
    status: OrderStatus = OrderStatus.OPEN
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    closed_reason: str | None = None


@dataclass
class FakeException(JobException):
    status: ExceptionStatus = ExceptionStatus.OPEN
    type: ExceptionType = ExceptionType.SS_CLAIM_CREDIT_REVIEW
    comment_code: CommentCode = CommentCode.CCA
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    job_id: uuid.UUID = field(default_factory=uuid.uuid4)
    contract_id: uuid.UUID = field(default_factory=uuid.uuid4)
    updated_at: datetime = T0


@dataclass
class FakeByopCase(ByopCase):
    stage: ByopStage = ByopStage.AUTHORIZED_TO_SCHEDULE
    job_id: uuid.UUID = field(default_factory=uuid.uuid4)
    contract_id: uuid.UUID = field(default_factory=uuid.uuid4)
    pro_name: str | None = None
    pro_email: str | None = None
    pro_mobile: str | None = None
    pro_zelle_token: str | None = None
    pro_address_line1: str | None = None
    pro_address_line2: str | None = None
    pro_address_city: str | None = None
    pro_address_state: str | None = None
    pro_address_zip: str | None = None
    diagnosis: str | None = None
    estimate: Decimal | None = None
    authorized: Decimal | None = None
    decision_reason: str | None = None
    invoice: Decimal | None = None
    updated_at: datetime = T0


@dataclass
class FakeOption(Option):
    status: OptionStatus = OptionStatus.OFFERED
    decided_by: str | None = None
    decided_at: datetime | None = None
