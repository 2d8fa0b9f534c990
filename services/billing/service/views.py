"""Read models: the payment confirmation (each invoice paid, the amount applied, what remains)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from services.billing.adapters.orm import AllocationKind, PaymentRow
from services.billing.adapters.repositories import PaymentRepository
from services.billing.domain.payment import PaymentStatus


# What a confirmation shows, as read-only protocols: the rows read back (``PaymentRow`` and its
# allocation and invoice rows) or, right after a payment, the values it just wrote.
class ShownPayment(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def contact_id(self) -> uuid.UUID: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def status(self) -> PaymentStatus: ...
    @property
    def method_type(self) -> str: ...
    @property
    def method_last4(self) -> str | None: ...
    @property
    def gateway_charge_id(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def balance_after(self) -> Decimal: ...
    @property
    def refunded_at(self) -> datetime | None: ...


class ShownAllocation(Protocol):
    @property
    def amount(self) -> Decimal: ...
    @property
    def invoice_remaining(self) -> Decimal: ...


class ShownInvoice(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def number(self) -> str: ...
    @property
    def invoice_date(self) -> date: ...


Line = tuple[ShownAllocation, ShownInvoice]


@dataclass(frozen=True)
class PaymentView:
    payment: ShownPayment
    applied: Sequence[Line]
    reversed: Sequence[Line]


@dataclass(frozen=True)
class BalanceView:
    account_id: str
    payable: Decimal
    open_total: Decimal
    open_invoices: int


async def payment_views(payments: PaymentRepository, rows: Sequence[PaymentRow]
                        ) -> list[PaymentView]:
    lines = await payments.allocations([p.id for p in rows])
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


async def payment_view(payments: PaymentRepository, payment: PaymentRow) -> PaymentView:
    return (await payment_views(payments, [payment]))[0]

