"""Payouts' tables: payouts, their append-only status history, attempts, provider events
and the idempotency keys of operator actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.payouts.domain.attempts import Attempt
from services.payouts.domain.check_issues import IssuedCheck
from services.payouts.domain.model import PayoutStatus
from services.payouts.domain.payout import Payout
from shared.clock import clock_table
from shared.db.columns import MONEY
from shared.idempotency import IdempotencyKeyColumns


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
service_clock = clock_table(metadata)


_NOW = func.now()


class PayoutRow(Base, Payout):
    __tablename__ = "payouts"
    __table_args__ = (
        # The dispatcher's scan: approved payouts, oldest first. Partial, so it holds only the
        # few payouts waiting to be sent, however many have been paid.
        Index("ix_payouts_dispatchable", "created_at",
              postgresql_where=text(f"status = '{PayoutStatus.APPROVED.value}'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # The requester's idempotency key: a repeated request can never make a second payout.
    payout_key: Mapped[str] = mapped_column(String(120), unique=True)
    source: Mapped[dict[str, Any]] = mapped_column(JSONB)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    rail: Mapped[str] = mapped_column(String(16))
    payee: Mapped[dict[str, Any]] = mapped_column(JSONB)
    memo: Mapped[str | None] = mapped_column(String(40))
    requested_by: Mapped[str] = mapped_column(String(120))
    # Events about this payout carry the requester's flow id (the claim) for tracing.
    correlation_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(24), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=_NOW, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    # The rail asked for; ``rail`` is the one paying now (they differ after a fallback).
    requested_rail: Mapped[str | None] = mapped_column(String(16))
    # Filters of the list: the claim, and who is paid (email, mobile or name, lower case).
    claim_id: Mapped[str | None] = mapped_column(String(120), index=True)
    payee_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # A promised payment (Zelle to a service pro: 24 h); breached once, announced once.
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    sla_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approval_reasons: Mapped[list[str] | None] = mapped_column(JSONB)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    # An operator's stop payment that should be followed by a new check, not a cancellation.
    reissue_on_cancel: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class PayoutStatusHistoryRow(Base):
    """Every status change, in order. Append-only: a trigger refuses UPDATE and DELETE."""

    __tablename__ = "payout_status_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    payout_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payouts.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("payout_attempts.id"))
    actor: Mapped[str] = mapped_column(String(120))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class AttemptRow(Base, Attempt):
    """One instruction sent (or about to be sent) to a provider; its id is the endToEndId."""

    __tablename__ = "payout_attempts"
    __table_args__ = (
        UniqueConstraint("payout_id", "number", name="uq_payout_attempts_number"),
        # At most one attempt per payout that may exist at the provider: the database itself
        # refuses a second one, whatever a buggy or racing worker tries.
        Index(
            "uq_payout_attempts_one_active",
            "payout_id",
            unique=True,
            postgresql_where=text("status IN ('sending', 'submitted', 'unknown')"),
        ),
        # At most one attempt per payout waiting to be sent again (it keeps its id), found by
        # the dispatcher's scan through this index.
        Index(
            "uq_payout_attempts_one_unsent",
            "payout_id",
            unique=True,
            postgresql_where=text("status = 'unsent'"),
        ),
        # The recovery loop's scan: unfinished attempts whose lease has run out.
        Index(
            "ix_payout_attempts_due",
            "lease_until",
            postgresql_where=text("status IN ('sending', 'submitted', 'unknown')"),
        ),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    payout_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payouts.id"))
    number: Mapped[int] = mapped_column(Integer)
    rail: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(16))
    provider_reference: Mapped[str | None] = mapped_column(String(64))
    provider_status: Mapped[str | None] = mapped_column(String(24))
    status_reason: Mapped[str | None] = mapped_column(Text)
    # Until then the attempt belongs to whoever last took it (dispatcher or recovery); after
    # it, recovery may check it with the provider.
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sends: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    checks: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class CheckNumberRow(Base):
    """The last check number issued on a bank account: we own the sequence, so a number is
    never reused (a reissue gets the next one, never the stopped check's)."""

    __tablename__ = "check_numbers"

    account_number: Mapped[str] = mapped_column(String(17), primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger)


class CheckIssueRow(Base, IssuedCheck):
    """A check attempt's issuer facts: its number, send date and any stop payment."""

    __tablename__ = "check_issues"
    __table_args__ = (
        UniqueConstraint("account_number", "check_number", name="uq_check_issues_number"),
    )

    attempt_id: Mapped[str] = mapped_column(ForeignKey("payout_attempts.id"), primary_key=True)
    account_number: Mapped[str] = mapped_column(String(17))
    check_number: Mapped[int] = mapped_column(BigInteger)
    send_date: Mapped[date] = mapped_column(Date)
    stop_id: Mapped[str | None] = mapped_column(String(64))
    stop_expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class ProviderEventRow(Base):
    """Callbacks already applied, by the provider's event id: a redelivery is a no-op."""

    __tablename__ = "provider_events"

    rail: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("payout_attempts.id"))
    status: Mapped[str] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class PayeeRow(Base):
    """Every payee paid before, by identity, with a fingerprint of their payment details, so
    approval rules can spot a first payout or details changed recently."""

    __tablename__ = "payees"

    identity: Mapped[str] = mapped_column(String(250), primary_key=True)
    details_hash: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdempotencyKeyRow(IdempotencyKeyColumns, Base):
    """An operator action's key, scoped to its caller, and the response it produced."""

    __tablename__ = "idempotency_keys"

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
