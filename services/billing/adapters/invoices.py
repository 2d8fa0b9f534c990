"""The invoice aggregate: invoices (the ORM rows, and the portal payment's payable invoices read
in plain asyncpg) and the cancellations of the jobs whose fees they bill."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from services.billing.adapters import statements as st
from services.billing.adapters.orm import (
    INVOICE_NUMBERS,
    FeeCancellationRow,
    InvoiceRow,
    utcnow,
)
from services.billing.domain.errors import NotFound
from services.billing.domain.invoice import OPEN_STATUSES, Invoice, InvoiceStatus
from shared.db.driver import transaction_driver
from shared.db.repository import Repository

_OPEN = sorted(OPEN_STATUSES)


@dataclass(slots=True)
class PayableInvoice(Invoice):
    """An open invoice payable online, as a portal payment reads it and applies money to it
    (its new balance is written by the payment's one statement)."""

    id: uuid.UUID
    number: str
    invoice_date: date
    amount: Decimal
    open_balance: Decimal
    status: InvoiceStatus
    account_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Payable:
    invoices: list[PayableInvoice]  # oldest first
    balance: Decimal  # of every open invoice payable online, not only of these


class InvoiceRepository(Repository):
    async def get(self, invoice_id: uuid.UUID) -> InvoiceRow:
        row = await self.session.get(InvoiceRow, invoice_id)
        if row is None:
            raise NotFound("invoice", invoice_id)
        return row

    async def reload(self, invoice: InvoiceRow) -> None:
        """``invoice`` as of now (under the account's lock), not as first read."""
        await self.session.refresh(invoice)

    def add(self, invoice: InvoiceRow) -> None:
        self.session.add(invoice)

    async def next_number(self) -> str:
        value = await self.session.scalar(select(INVOICE_NUMBERS.next_value()))
        return f"INV-{value:08d}"

    async def number_taken(self, number: str) -> bool:
        return bool(await self.session.scalar(
            select(func.count()).where(InvoiceRow.number == number)))

    async def by_source(self, source_ref: str) -> InvoiceRow | None:
        found = await self.session.scalars(
            select(InvoiceRow).where(InvoiceRow.source_ref == source_ref))
        return found.first()

    async def of_account(self, account_id: uuid.UUID, status: InvoiceStatus | None = None
                         ) -> Sequence[InvoiceRow]:
        query = select(InvoiceRow).where(InvoiceRow.account_id == account_id)
        if status is not None:
            query = query.where(InvoiceRow.status == status)
        found = await self.session.scalars(
            query.order_by(InvoiceRow.invoice_date, InvoiceRow.number))
        return found.all()

    async def oldest_payable(self, account_id: uuid.UUID, amount: Decimal) -> Payable:
        """The open invoices payable online that an ``amount`` is allocated over, oldest first,
        and the account's payable balance (read under the account lock; the portal's fast path,
        ``adapters/statements.py``)."""
        db = await transaction_driver(self.session)
        rows = await db.fetch(st.OLDEST_PAYABLE.sql, *st.OLDEST_PAYABLE.args(
            {"account_id": account_id, "open": _OPEN, "amount": amount}))
        invoices = [PayableInvoice(row["id"], row["number"], row["invoice_date"], row["amount"],
                                   row["open_balance"], InvoiceStatus(row["status"]),
                                   account_id)
                    for row in rows]
        return Payable(invoices, rows[0]["balance"] if rows else Decimal("0.00"))


class FeeCancellationRepository(Repository):
    """Cancelled jobs whose fees are not owed, kept whether or not their invoice exists yet."""

    async def get(self, source_ref: str) -> FeeCancellationRow | None:
        return await self.session.get(FeeCancellationRow, source_ref)

    async def record(self, row: FeeCancellationRow) -> FeeCancellationRow:
        """The first cancellation of a source is the one kept (a re-sent event changes
        nothing)."""
        await self.session.execute(
            insert(FeeCancellationRow)
            .values(source_ref=row.source_ref, customer_id=row.customer_id, reason=row.reason,
                    cancelled_at=row.cancelled_at, recorded_at=utcnow())
            .on_conflict_do_nothing(index_elements=[FeeCancellationRow.source_ref])
        )
        found = await self.get(row.source_ref)
        assert found is not None
        return found
