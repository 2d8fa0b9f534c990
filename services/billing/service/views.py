"""Read models: the payment confirmation (each invoice paid, the amount applied, what remains)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.adapters import repository as repo
from services.billing.adapters.orm import AllocationKind, AllocationRow, InvoiceRow, PaymentRow

Line = tuple[AllocationRow, InvoiceRow]


@dataclass(frozen=True)
class PaymentView:
    payment: PaymentRow
    applied: Sequence[Line]
    reversed: Sequence[Line]


@dataclass(frozen=True)
class BalanceView:
    account_id: str
    payable: Decimal
    open_total: Decimal
    open_invoices: int


async def payment_views(session: AsyncSession, rows: Sequence[PaymentRow]) -> list[PaymentView]:
    lines = await repo.allocations(session, [p.id for p in rows])
    by_payment: dict[uuid.UUID, dict[AllocationKind, list[Line]]] = {}
    for allocation, invoice in lines:
        by_payment.setdefault(allocation.payment_id, {}).setdefault(allocation.kind, []).append(
            (allocation, invoice))
    return [
        PaymentView(
            p,
            by_payment.get(p.id, {}).get(AllocationKind.APPLY, []),
            by_payment.get(p.id, {}).get(AllocationKind.REVERSE, []),
        )
        for p in rows
    ]


async def payment_view(session: AsyncSession, payment: PaymentRow) -> PaymentView:
    return (await payment_views(session, [payment]))[0]


async def balance_view(session: AsyncSession, account_id: uuid.UUID) -> BalanceView:
    payable, total, count = await repo.balances(session, account_id)
    return BalanceView(str(account_id), payable, total, count)
