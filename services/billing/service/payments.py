"""Use case: a company contact pays from the customer portal (seed 002).

One transaction, holding the account's row lock from the balance check to the commit: the
payable invoices are read, the payment is allocated oldest first (more than the payable balance
is refused before the card is touched), the gateway charges the tokenized method, and the
payment, its allocation rows, the invoices' new balances, the outbox events and the idempotency
key's stored confirmation commit together. A declined or failed charge rolls everything back,
so nothing is applied. The lock is what makes two simultaneous payments on one account run one
after the other: the second sees the balances the first left and cannot over-apply.

Known window: the process dying after the gateway charged and before the commit leaves a charge
with no payment; the client's retry with the same Idempotency-Key reaches the gateway with the
same key, gets the same charge back and records it (no second charge).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from services.billing.adapters import repository as repo
from services.billing.adapters.gateway import Charged, Declined, GatewayRefused
from services.billing.adapters.orm import AllocationKind, AllocationRow, InvoiceRow, PaymentRow
from services.billing.domain import invoice as invoice_rules
from services.billing.domain.allocation import Allocation, OpenInvoice, allocate
from services.billing.domain.errors import InvalidPaymentMethod, PaymentDeclined
from services.billing.domain.invoice import InvoiceStatus
from services.billing.domain.payment import PaymentStatus
from services.billing.service import access
from services.billing.service.context import Billing
from services.billing.service.idempotency import IdempotencyKey, remember, replay
from services.billing.service.views import Line, PaymentView
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.messaging.contracts import InvoicePaidV1, PaymentReceivedV1
from shared.money import Money

Render = Callable[[PaymentView], dict[str, Any]]


@dataclass(frozen=True)
class PaymentCommand:
    amount: Money
    method_token: str  # from the gateway's tokenize endpoint; never a card number
    billing_name: str
    billing_postal_code: str


def open_invoice(row: InvoiceRow) -> OpenInvoice:
    return OpenInvoice(str(row.id), row.number, row.invoice_date, Money(row.open_balance))


async def pay(
    app: Billing, payer: Principal, account_id: uuid.UUID, command: PaymentCommand,
    idempotency: IdempotencyKey, render: Render,
) -> dict[str, Any]:
    """Returns the rendered confirmation; a repeat with the same key returns the first one."""
    async with app.uow(correlation_id=str(account_id)) as uow:
        session = uow.session
        account = await access.visible_account(session, payer, account_id)
        contact = await access.portal_contact(session, payer, account)
        if (stored := await replay(session, idempotency)) is not None:
            return stored
        await repo.lock_account(session, account.id)
        invoices = {str(row.id): row for row in await repo.payable_invoices(session, account.id)}
        allocations = allocate(command.amount, [open_invoice(r) for r in invoices.values()])
        charge = await _charge(app, idempotency, command, account.customer_id)
        payment = PaymentRow(
            id=uuid.uuid4(), account_id=account.id, contact_id=contact.id,
            amount=command.amount.amount, status=PaymentStatus.SUCCEEDED,
            gateway_charge_id=charge.charge_id, method_type=charge.method_type,
            method_last4=charge.method_last4, billing_name=command.billing_name,
            billing_postal_code=command.billing_postal_code, received_at=datetime.now(UTC),
            balance_after=Decimal("0.00"),
        )
        session.add(payment)
        await session.flush()
        lines = _apply(session_add=session.add, payment=payment, allocations=allocations,
                       invoices=invoices)
        # Every payable invoice this payment saw is in ``invoices``, read under the account
        # lock and updated above (a paid one now owes 0): their sum is the payable balance
        # after it (an invoice issued meanwhile shows in the next balance read). The
        # confirmation is built from these rows too, without reading them back.
        payment.balance_after = sum((row.open_balance for row in invoices.values()),
                                    Decimal("0.00"))
        _emit(uow, payment, allocations, invoices)
        body = render(PaymentView(payment, lines, []))
        await remember(session, idempotency, 201, body)
        await uow.commit()
        return body


async def _charge(app: Billing, idempotency: IdempotencyKey, command: PaymentCommand,
                  customer_id: str) -> Charged:
    try:
        outcome = await app.gateway.charge(
            idempotency.gateway_key, command.amount, command.method_token,
            f"Portal payment, account {customer_id}",
        )
    except GatewayRefused as exc:
        raise InvalidPaymentMethod(f"the gateway refused the payment method: {exc.detail}"
                                   ) from exc
    if isinstance(outcome, Declined):
        raise PaymentDeclined(outcome.reason)
    return outcome


def _apply(
    *, session_add: Callable[[object], None], payment: PaymentRow,
    allocations: Sequence[Allocation], invoices: dict[str, InvoiceRow],
) -> list[Line]:
    """Apply the allocations to the invoices; the confirmation's lines, oldest invoice first."""
    now = datetime.now(UTC)
    lines: list[Line] = []
    for position, allocation in enumerate(allocations):
        row = invoices[allocation.invoice_id]
        remaining, row.status = invoice_rules.apply(
            row.status, Money(row.amount), Money(row.open_balance), allocation.amount
        )
        row.open_balance, row.updated_at = remaining.amount, now
        applied = AllocationRow(
            payment_id=payment.id, invoice_id=row.id, kind=AllocationKind.APPLY,
            position=position, amount=allocation.amount.amount,
            invoice_remaining=remaining.amount, created_at=now,
        )
        session_add(applied)
        lines.append((applied, row))
    return lines


def _emit(uow: UnitOfWork, payment: PaymentRow, allocations: Sequence[Allocation],
          invoices: dict[str, InvoiceRow]) -> None:
    uow.emit(PaymentReceivedV1(
        payment_id=str(payment.id), account_id=str(payment.account_id), amount=payment.amount,
        allocations=[{"invoice_id": a.invoice_id, "invoice_number": a.number,
                      "amount": str(a.amount)} for a in allocations],
        received_at=payment.received_at,
    ))
    for allocation in allocations:
        row = invoices[allocation.invoice_id]
        if row.status is InvoiceStatus.PAID:
            uow.emit(InvoicePaidV1(
                invoice_id=str(row.id), invoice_number=row.number,
                account_id=str(row.account_id), amount=row.amount,
                paid_at=payment.received_at,
            ))
