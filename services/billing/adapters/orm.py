"""Billing's tables: accounts, contacts, invoices, payments and their allocation rows.

Allocation rows are the ledger: one row per invoice a payment touched (``apply``) and, on a
refund, one row per row it gives back (``reverse``). They are never updated or deleted — a
trigger in the migration refuses it — so an invoice's open balance can always be re-derived as
its amount minus its applied rows plus its reversed rows.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.billing.domain.contact import ContactKind
from services.billing.domain.invoice import Invoice, InvoiceStatus
from services.billing.domain.payment import Payment, PaymentStatus
from shared.db.columns import MONEY, NAMING, enum_of
from shared.idempotency import IdempotencyKeyColumns

# Invoice numbers the service assigns: fixed width, so their text order is their age order.
INVOICE_NUMBERS = Sequence("invoice_number_seq", start=1)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


metadata = Base.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


class AllocationKind(StrEnum):
    APPLY = "apply"
    REVERSE = "reverse"


class AccountRow(Base):
    """The customer company. ``customer_id`` is its platform-wide key (claims' customer id,
    a portal token's ``customer_id``)."""

    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    customer_id: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class ContactRow(Base):
    __tablename__ = "contacts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[ContactKind] = mapped_column(enum_of(ContactKind))
    portal_access: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class InvoiceRow(Base, Invoice):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("open_balance >= 0 AND open_balance <= amount", name="open_in_range"),
        CheckConstraint("(status = 'void') = (voided_at IS NOT NULL)", name="voided_at_iff_void"),
        Index("ix_invoices_account_age", "account_id", "invoice_date", "number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    open_balance: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[InvoiceStatus] = mapped_column(enum_of(InvoiceStatus))
    payable_online: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(String(200))
    # Where the invoice came from (``job:<id>`` for a dispatched job's service fee): unique, so
    # a re-sent event never bills twice.
    source_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    voided_at: Mapped[datetime | None] = mapped_column()
    void_reason: Mapped[str | None] = mapped_column(String(200))
    # Set while the invoice's job is cancelled but a payment on it keeps it owed: what to do.
    void_refused_reason: Mapped[str | None] = mapped_column(String(300))


class FeeCancellationRow(Base):
    """Claims cancelled the job behind ``source_ref`` before its visit: its fee is not owed.

    Kept whether or not the invoice exists yet: a dispatch event delivered after it raises no
    invoice (out-of-order delivery), and a refund that leaves a kept invoice unpaid voids it.
    """

    __tablename__ = "fee_cancellations"

    source_ref: Mapped[str] = mapped_column(String(200), primary_key=True)  # job:<id>
    customer_id: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(200))
    cancelled_at: Mapped[datetime] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class PaymentRow(Base, Payment):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[PaymentStatus] = mapped_column(enum_of(PaymentStatus))
    # The gateway's references only: never a card or bank account number.
    gateway_charge_id: Mapped[str] = mapped_column(String(64), unique=True)
    method_type: Mapped[str] = mapped_column(String(16))
    method_last4: Mapped[str | None] = mapped_column(String(4))
    billing_name: Mapped[str] = mapped_column(String(120))
    billing_postal_code: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The account's payable balance right after this payment: the confirmation shows it, and a
    # replayed confirmation must show the same figure.
    balance_after: Mapped[Decimal] = mapped_column(MONEY)
    gateway_refund_id: Mapped[str | None] = mapped_column(String(64))
    refunded_at: Mapped[datetime | None] = mapped_column()
    refunded_by: Mapped[str | None] = mapped_column(String(120))
    refund_reason: Mapped[str | None] = mapped_column(String(200))


class AllocationRow(Base):
    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # one apply row per invoice per payment, and at most one reverse row for it
        UniqueConstraint("payment_id", "invoice_id", "kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    kind: Mapped[AllocationKind] = mapped_column(enum_of(AllocationKind))
    position: Mapped[int] = mapped_column(Integer)  # order applied: oldest invoice first
    amount: Mapped[Decimal] = mapped_column(MONEY)
    invoice_remaining: Mapped[Decimal] = mapped_column(MONEY)  # open on the invoice after it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKeyRow(IdempotencyKeyColumns, Base):
    """A payment request's key, scoped to its caller, and the response it produced."""

    __tablename__ = "idempotency_keys"

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
