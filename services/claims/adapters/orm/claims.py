"""Claims, the payouts requested for them, the audit trail and idempotency keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.claims.adapters.orm.base import Base, new_id, utcnow
from services.claims.domain.claim import ClaimKind, ClaimStatus
from services.claims.domain.claim_entity import Claim
from services.claims.domain.limits import HoldStatus, LimitKind
from services.claims.domain.payment import PayeeRole, PaymentRail
from services.claims.domain.payout import ClaimPayout, PayoutStatus
from shared.db.columns import MONEY, enum_of
from shared.idempotency import IdempotencyKeyColumns


class ClaimRow(Base, Claim):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("gross > 0", name="gross_positive"),
        CheckConstraint("deductible >= 0", name="deductible_not_negative"),
        # Conservation: what we pay is exactly the gross less the deductible, floored at zero.
        CheckConstraint("payable = GREATEST(gross - deductible, 0)", name="payable_conserved"),
        Index("ix_claims_status_created", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # One claim per job: the money side of that one unit of work.
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_jobs.id"), unique=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[ClaimKind] = mapped_column(enum_of(ClaimKind))
    status: Mapped[ClaimStatus] = mapped_column(enum_of(ClaimStatus))
    gross: Mapped[Decimal] = mapped_column(MONEY)
    deductible: Mapped[Decimal] = mapped_column(MONEY)
    payable: Mapped[Decimal] = mapped_column(MONEY)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None]
    rejected_reason: Mapped[str | None] = mapped_column(String(500))
    payout_sequence: Mapped[int] = mapped_column(default=0)
    # The selected payment option (None until the payee chose one).
    rail: Mapped[PaymentRail | None] = mapped_column(enum_of(PaymentRail))
    payee_role: Mapped[PayeeRole | None] = mapped_column(enum_of(PayeeRole))
    payee_name: Mapped[str | None] = mapped_column(String(120))
    payee_email: Mapped[str | None] = mapped_column(String(254))
    payee_mobile: Mapped[str | None] = mapped_column(String(16))
    payee_zelle_token: Mapped[str | None] = mapped_column(String(64))
    payee_address_line1: Mapped[str | None] = mapped_column(String(64))
    payee_address_line2: Mapped[str | None] = mapped_column(String(64))
    payee_address_city: Mapped[str | None] = mapped_column(String(64))
    payee_address_state: Mapped[str | None] = mapped_column(String(2))
    payee_address_zip: Mapped[str | None] = mapped_column(String(10))
    terms_accepted_by: Mapped[str | None] = mapped_column(String(120))
    terms_accepted_at: Mapped[datetime | None]
    terms_version: Mapped[str | None] = mapped_column(String(32))
    payment_selected_by: Mapped[str | None] = mapped_column(String(120))
    payment_selected_at: Mapped[datetime | None]


class ClaimPayoutRow(Base, ClaimPayout):
    __tablename__ = "claim_payouts"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # Never pay twice: at most one payout per claim not known to be dead (failed,
        # cancelled, rejected, expired, unclaimed, or paid and returned).
        Index(
            "uq_claim_payouts_live_per_claim", "claim_id", unique=True,
            postgresql_where=text(
                "status NOT IN ('failed', 'cancelled', 'rejected', 'expired', 'unclaimed', "
                "'returned')"),
        ),
    )

    payout_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    rail: Mapped[PaymentRail] = mapped_column(enum_of(PaymentRail))
    status: Mapped[PayoutStatus] = mapped_column(enum_of(PayoutStatus))
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    payout_id: Mapped[str | None] = mapped_column(String(120))
    attempt_id: Mapped[str | None] = mapped_column(String(120))
    provider_reference: Mapped[str | None] = mapped_column(String(120))
    failure_reason: Mapped[str | None] = mapped_column(String(500))


class AuditEventRow(Base):
    """Who changed what, when: every state change and every payment-detail change."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKeyRow(IdempotencyKeyColumns, Base):
    """A money-moving request's key, scoped to its caller, and the response it produced."""

    __tablename__ = "idempotency_keys"

    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LimitHoldRow(Base):
    """A claim's hold on one of its contract's limits: reserved, consumed or released."""

    __tablename__ = "limit_holds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # One live hold per claim and limit: a re-approval after a release takes a new one.
        Index(
            "uq_limit_holds_live_per_claim", "claim_id", "limit_kind", unique=True,
            postgresql_where=text("status <> 'released'"),
        ),
        # The one-time replacement credit, enforced by the database too.
        Index(
            "uq_limit_holds_one_replacement_credit", "contract_id", unique=True,
            postgresql_where=text(
                "limit_kind = 'replacement_credit' AND status <> 'released'"
            ),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id"), index=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("claims.id"), index=True)
    payout_key: Mapped[str] = mapped_column(String(120))
    limit_kind: Mapped[LimitKind] = mapped_column(enum_of(LimitKind))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[HoldStatus] = mapped_column(enum_of(HoldStatus))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
