"""Queries of the billing tables; the use cases hold the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

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
from services.billing.domain.errors import NotFound
from services.billing.domain.invoice import InvoiceStatus
from services.billing.domain.payment import PaymentStatus


async def account(session: AsyncSession, account_id: uuid.UUID) -> AccountRow:
    row = await session.get(AccountRow, account_id)
    if row is None:
        raise NotFound("account", account_id)
    return row


async def lock_account(session: AsyncSession, account_id: uuid.UUID) -> None:
    """The per-account lock: every change of an account's balances (payment, refund, void)
    takes it first, so two of them on one account run one after the other."""
    await session.execute(
        select(AccountRow.id).where(AccountRow.id == account_id).with_for_update()
    )


async def account_by_customer(session: AsyncSession, customer_id: str) -> AccountRow | None:
    found = await session.scalars(select(AccountRow).where(AccountRow.customer_id == customer_id))
    return found.first()


async def ensure_account(session: AsyncSession, customer_id: str, created_by: str) -> AccountRow:
    """The account of ``customer_id``, created (named after the key) if it does not exist."""
    await session.execute(
        insert(AccountRow)
        .values(id=uuid.uuid4(), customer_id=customer_id, name=customer_id,
                created_by=created_by, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[AccountRow.customer_id])
    )
    found = await account_by_customer(session, customer_id)
    assert found is not None
    return found


async def contact(session: AsyncSession, contact_id: uuid.UUID) -> ContactRow | None:
    return await session.get(ContactRow, contact_id)


async def contacts(session: AsyncSession, account_id: uuid.UUID) -> Sequence[ContactRow]:
    found = await session.scalars(
        select(ContactRow).where(ContactRow.account_id == account_id)
        .order_by(ContactRow.created_at, ContactRow.id)
    )
    return found.all()


async def next_invoice_number(session: AsyncSession) -> str:
    value = await session.scalar(select(INVOICE_NUMBERS.next_value()))
    return f"INV-{value:08d}"


async def invoice_number_taken(session: AsyncSession, number: str) -> bool:
    return bool(await session.scalar(select(func.count()).where(InvoiceRow.number == number)))


async def invoice_by_source(session: AsyncSession, source_ref: str) -> InvoiceRow | None:
    found = await session.scalars(select(InvoiceRow).where(InvoiceRow.source_ref == source_ref))
    return found.first()


async def invoice(session: AsyncSession, invoice_id: uuid.UUID) -> InvoiceRow:
    row = await session.get(InvoiceRow, invoice_id)
    if row is None:
        raise NotFound("invoice", invoice_id)
    return row


async def invoices(
    session: AsyncSession, account_id: uuid.UUID, status: InvoiceStatus | None = None
) -> Sequence[InvoiceRow]:
    query = select(InvoiceRow).where(InvoiceRow.account_id == account_id)
    if status is not None:
        query = query.where(InvoiceRow.status == status)
    found = await session.scalars(query.order_by(InvoiceRow.invoice_date, InvoiceRow.number))
    return found.all()


async def payment(session: AsyncSession, payment_id: uuid.UUID, *, lock: bool = False
                  ) -> PaymentRow:
    row = await session.get(PaymentRow, payment_id, with_for_update=lock)
    if row is None:
        raise NotFound("payment", payment_id)
    return row


async def payments(session: AsyncSession, account_id: uuid.UUID, limit: int
                   ) -> Sequence[PaymentRow]:
    found = await session.scalars(
        select(PaymentRow).where(PaymentRow.account_id == account_id)
        .order_by(PaymentRow.received_at.desc(), PaymentRow.id).limit(limit)
    )
    return found.all()


async def allocations(
    session: AsyncSession, payment_ids: Sequence[uuid.UUID], kind: AllocationKind | None = None
) -> Sequence[tuple[AllocationRow, InvoiceRow]]:
    """Allocation rows of the payments with their invoices, in the order they were applied."""
    query = (
        select(AllocationRow, InvoiceRow)
        .join(InvoiceRow, InvoiceRow.id == AllocationRow.invoice_id)
        .where(AllocationRow.payment_id.in_(payment_ids))
    )
    if kind is not None:
        query = query.where(AllocationRow.kind == kind)
    rows = await session.execute(query.order_by(AllocationRow.payment_id, AllocationRow.kind,
                                                AllocationRow.position))
    return [(a, i) for a, i in rows]


async def fee_cancellation(session: AsyncSession, source_ref: str) -> FeeCancellationRow | None:
    return await session.get(FeeCancellationRow, source_ref)


async def record_fee_cancellation(session: AsyncSession, row: FeeCancellationRow
                                  ) -> FeeCancellationRow:
    """The first cancellation of a source is the one kept (a re-sent event changes nothing)."""
    await session.execute(
        insert(FeeCancellationRow)
        .values(source_ref=row.source_ref, customer_id=row.customer_id, reason=row.reason,
                cancelled_at=row.cancelled_at, recorded_at=utcnow())
        .on_conflict_do_nothing(index_elements=[FeeCancellationRow.source_ref])
    )
    found = await fee_cancellation(session, row.source_ref)
    assert found is not None
    return found


async def unrefunded_payments_of(session: AsyncSession, invoice_id: uuid.UUID
                                 ) -> Sequence[uuid.UUID]:
    """The payments applied to the invoice that are not refunded, oldest first."""
    found = await session.scalars(
        select(PaymentRow.id)
        .join(AllocationRow, AllocationRow.payment_id == PaymentRow.id)
        .where(AllocationRow.invoice_id == invoice_id,
               AllocationRow.kind == AllocationKind.APPLY,
               PaymentRow.status == PaymentStatus.SUCCEEDED)
        .order_by(PaymentRow.received_at, PaymentRow.id)
    )
    return found.all()
