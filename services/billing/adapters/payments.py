"""The payment aggregate: payments and their allocation rows (the ledger: ``apply`` rows when a
payment is made, ``reverse`` rows when it is refunded; never edited)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from services.billing.adapters import statements as st
from services.billing.adapters.orm import AllocationKind, AllocationRow, InvoiceRow, PaymentRow
from services.billing.domain.errors import NotFound
from services.billing.domain.invoice import InvoiceStatus
from services.billing.domain.payment import PaymentStatus
from shared.db.driver import transaction_driver
from shared.db.repository import Repository


@dataclass(frozen=True, slots=True)
class NewPayment:
    """A succeeded portal payment as it is stored (and shown in its confirmation)."""

    id: uuid.UUID
    account_id: uuid.UUID
    contact_id: uuid.UUID
    amount: Decimal
    status: PaymentStatus
    gateway_charge_id: str
    method_type: str
    method_last4: str | None
    billing_name: str
    billing_postal_code: str
    received_at: datetime
    balance_after: Decimal
    refunded_at: datetime | None = None  # not stored: a new payment; its confirmation shows it


@dataclass(frozen=True, slots=True)
class AppliedLine:
    """One invoice a payment paid: the allocation row and the invoice's new balance."""

    invoice_id: uuid.UUID
    position: int  # order applied: oldest invoice first
    amount: Decimal
    invoice_remaining: Decimal
    invoice_status: InvoiceStatus


class PaymentRepository(Repository):
    async def get(self, payment_id: uuid.UUID) -> PaymentRow:
        row = await self.session.get(PaymentRow, payment_id)
        if row is None:
            raise NotFound("payment", payment_id)
        return row

    async def lock(self, payment_id: uuid.UUID) -> PaymentRow:
        """The payment's row locked (its account's lock taken first), as of the lock, not as
        first read."""
        row = await self.session.get(PaymentRow, payment_id, with_for_update=True)
        if row is None:
            raise NotFound("payment", payment_id)
        await self.session.refresh(row)
        return row

    async def of_account(self, account_id: uuid.UUID, limit: int) -> Sequence[PaymentRow]:
        found = await self.session.scalars(
            select(PaymentRow).where(PaymentRow.account_id == account_id)
            .order_by(PaymentRow.received_at.desc(), PaymentRow.id).limit(limit)
        )
        return found.all()

    async def allocations(
        self, payment_ids: Sequence[uuid.UUID], kind: AllocationKind | None = None
    ) -> Sequence[tuple[AllocationRow, InvoiceRow]]:
        """Allocation rows of the payments with their invoices, in the order they were
        applied."""
        query = (
            select(AllocationRow, InvoiceRow)
            .join(InvoiceRow, InvoiceRow.id == AllocationRow.invoice_id)
            .where(AllocationRow.payment_id.in_(payment_ids))
        )
        if kind is not None:
            query = query.where(AllocationRow.kind == kind)
        rows = await self.session.execute(query.order_by(
            AllocationRow.payment_id, AllocationRow.kind, AllocationRow.position))
        return [(a, i) for a, i in rows]

    def add_reversal(self, applied: AllocationRow, invoice_remaining: Decimal, at: datetime
                     ) -> None:
        """The ``reverse`` row of an ``apply`` row: the same amount given back to its invoice
        (a unique (payment, invoice, kind) constraint makes a second one impossible)."""
        self.session.add(AllocationRow(
            payment_id=applied.payment_id, invoice_id=applied.invoice_id,
            kind=AllocationKind.REVERSE, position=applied.position, amount=applied.amount,
            invoice_remaining=invoice_remaining, created_at=at,
        ))

    async def unrefunded_of(self, invoice_id: uuid.UUID) -> Sequence[uuid.UUID]:
        """The payments applied to the invoice that are not refunded, oldest first."""
        found = await self.session.scalars(
            select(PaymentRow.id)
            .join(AllocationRow, AllocationRow.payment_id == PaymentRow.id)
            .where(AllocationRow.invoice_id == invoice_id,
                   AllocationRow.kind == AllocationKind.APPLY,
                   PaymentRow.status == PaymentStatus.SUCCEEDED)
            .order_by(PaymentRow.received_at, PaymentRow.id)
        )
        return found.all()

    async def record(self, payment: NewPayment, lines: Sequence[AppliedLine]) -> None:
        """A portal payment's rows: the payment, its allocations and its invoices' new
        balances, in one statement on the payment's transaction (``adapters/statements.py``)."""
        db = await transaction_driver(self.session)
        status = await db.execute(st.RECORD_PAYMENT.sql, *st.RECORD_PAYMENT.args({
            "id": payment.id, "account_id": payment.account_id,
            "contact_id": payment.contact_id, "amount": payment.amount,
            "status": payment.status.value, "gateway_charge_id": payment.gateway_charge_id,
            "method_type": payment.method_type, "method_last4": payment.method_last4,
            "billing_name": payment.billing_name,
            "billing_postal_code": payment.billing_postal_code,
            "received_at": payment.received_at, "balance_after": payment.balance_after,
            "kind": AllocationKind.APPLY.value,
            "invoice_ids": [line.invoice_id for line in lines],
            "positions": [line.position for line in lines],
            "amounts": [line.amount for line in lines],
            "remainings": [line.invoice_remaining for line in lines],
            "statuses": [line.invoice_status.value for line in lines],
        }))
        # As the ORM's flush would: an invoice read under the lock that is not updated is a bug,
        # and raising rolls the whole payment back.
        if status != f"UPDATE {len(lines)}":
            raise RuntimeError(f"payment {payment.id} updated {status!r} of {len(lines)} invoices")
