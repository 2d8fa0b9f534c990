"""The billing repositories, one per aggregate: the account (the customer company, its contacts,
its lock and what the portal reads of it in one statement: who may pay, and the balance); the
invoices (the ORM rows, the portal payment's payable invoices on the fast path) and the
cancellations of the jobs whose fees they bill; the payments and their allocation rows (the
ledger: ``apply`` rows when a payment is made, ``reverse`` rows when it is refunded; never
edited).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from services.billing.adapters import statements as st
from services.billing.adapters.orm import (
    INVOICE_NUMBERS,
    AccountRow,
    AllocationKind,
    AllocationRow,
    ContactRow,
    FeeCancellationRow,
    InvoiceRow,
    PaymentRow,
    utcnow,
)
from services.billing.domain.contact import ContactFacts, ContactKind
from services.billing.domain.errors import NotFound
from services.billing.domain.invoice import OPEN_STATUSES, Invoice, InvoiceStatus
from services.billing.domain.payment import PaymentStatus
from shared.db.driver import session_driver, transaction_driver
from shared.uow import Repository

_OPEN = sorted(OPEN_STATUSES)


@dataclass(frozen=True, slots=True)
class AccountAccess:
    """What the access rules need: the account's customer key (None: no such account) and the
    contact the token names, if it is one of this account's."""

    customer_id: str | None
    contact: ContactFacts | None


@dataclass(frozen=True, slots=True)
class Balances:
    payable: Decimal  # open invoices payable online
    open_total: Decimal  # every open invoice
    open_invoices: int


def _access(row: asyncpg.Record | None) -> AccountAccess:
    if row is None:
        return AccountAccess(None, None)
    contact = None if row["kind"] is None else ContactFacts(
        ContactKind(row["kind"]), row["portal_access"], row["active"])
    return AccountAccess(row["customer_id"], contact)


class AccountRepository(Repository):
    async def get(self, account_id: uuid.UUID) -> AccountRow | None:
        return await self.session.get(AccountRow, account_id)

    async def by_customer(self, customer_id: str) -> AccountRow | None:
        found = await self.session.scalars(
            select(AccountRow).where(AccountRow.customer_id == customer_id))
        return found.first()

    def add(self, account: AccountRow) -> None:
        self.session.add(account)

    async def ensure(self, customer_id: str, created_by: str) -> AccountRow:
        """The account of ``customer_id``, created (named after the key) if it does not
        exist."""
        await self.session.execute(
            insert(AccountRow)
            .values(id=uuid.uuid4(), customer_id=customer_id, name=customer_id,
                    created_by=created_by, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=[AccountRow.customer_id])
        )
        found = await self.by_customer(customer_id)
        assert found is not None
        return found

    async def contact(self, contact_id: uuid.UUID) -> ContactRow | None:
        return await self.session.get(ContactRow, contact_id)

    async def contacts(self, account_id: uuid.UUID) -> Sequence[ContactRow]:
        found = await self.session.scalars(
            select(ContactRow).where(ContactRow.account_id == account_id)
            .order_by(ContactRow.created_at, ContactRow.id)
        )
        return found.all()

    def add_contact(self, contact: ContactRow) -> None:
        self.session.add(contact)

    # The fast path (``adapters/statements.py``): plain asyncpg on the session's connection,
    # for the portal's statements and the lock every balance change takes.

    async def lock(self, account_id: uuid.UUID) -> None:
        """The per-account lock: every change of an account's balances (payment, refund, void)
        takes it first, so two of them on one account run one after the other. Held until
        the transaction ends (the driver's transaction is the session's)."""
        db = await transaction_driver(self.session)
        await db.execute(st.LOCK_ACCOUNT.sql, *st.LOCK_ACCOUNT.args({"account_id": account_id}))

    async def access(self, account_id: uuid.UUID, contact_id: uuid.UUID | None
                     ) -> AccountAccess:
        """The access facts, as the first statement of a payment's transaction."""
        db = await transaction_driver(self.session)
        return _access(await db.fetchrow(
            st.ACCESS.sql, *st.ACCESS.args({"account_id": account_id, "contact_id": contact_id})))

    async def access_and_balances(self, account_id: uuid.UUID, contact_id: uuid.UUID | None
                                  ) -> tuple[AccountAccess, Balances]:
        """The balance read: one statement, on its own (it writes nothing, so it needs no
        transaction)."""
        db = await session_driver(self.session)
        row = await db.fetchrow(st.ACCESS_AND_BALANCES.sql, *st.ACCESS_AND_BALANCES.args(
            {"account_id": account_id, "contact_id": contact_id, "open": _OPEN}))
        if row is None:
            return _access(None), Balances(Decimal(0), Decimal(0), 0)
        return _access(row), Balances(row["payable"], row["open_total"], row["open_invoices"])


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
