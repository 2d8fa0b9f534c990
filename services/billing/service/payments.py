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

from services.billing.adapters.gateway import Charged, Declined, GatewayRefused
from services.billing.adapters.invoices import Payable, PayableInvoice
from services.billing.adapters.payments import AppliedLine, NewPayment
from services.billing.adapters.unit_of_work import BillingUnitOfWork
from services.billing.domain import invoice as invoice_rules
from services.billing.domain.allocation import Allocation, OpenInvoice, allocate
from services.billing.domain.errors import InvalidPaymentMethod, PaymentDeclined
from services.billing.domain.invoice import InvoiceStatus
from services.billing.domain.payment import PaymentStatus
from services.billing.service import access
from services.billing.service.context import ServiceContext
from services.billing.service.idempotency import IdempotencyKey
from services.billing.service.views import Line, PaymentView
from shared.auth import Principal
from shared.messaging.contracts import InvoicePaidV1, PaymentReceivedV1
from shared.money import Money

Render = Callable[[PaymentView], dict[str, Any]]


@dataclass(frozen=True)
class PaymentCommand:
    amount: Money
    method_token: str  # from the gateway's tokenize endpoint; never a card number
    billing_name: str
    billing_postal_code: str


def open_invoice(row: PayableInvoice) -> OpenInvoice:
    return OpenInvoice(str(row.id), row.number, row.invoice_date, Money(row.open_balance))


async def pay(
    app: ServiceContext, payer: Principal, account_id: uuid.UUID, command: PaymentCommand,
    idempotency: IdempotencyKey, render: Render,
) -> dict[str, Any]:
    """Returns the rendered confirmation; a repeat with the same key returns the first one."""
    async with app.uow(correlation_id=str(account_id)) as uow:
        # Checked before the key is claimed, as ever.
        facts = await uow.accounts.access(account_id, access.subject_contact_id(payer))
        verified = access.verify_payer(payer, account_id, facts)
        if (stored := await uow.keys.replay(idempotency)) is not None:
            return stored
        await uow.accounts.lock_for_payment(account_id)
        # Only the oldest invoices the amount reaches are read: allocated over them it is
        # allocated as over all of them, and the balance of all comes along.
        payable = await uow.invoices.oldest_payable(account_id, command.amount.amount)
        invoices = {str(row.id): row for row in payable.invoices}
        allocations = allocate(command.amount, [open_invoice(r) for r in payable.invoices])
        charge = await _charge(app, idempotency, command, verified.customer_id)
        lines = applied_lines(allocations, invoices)
        payment = NewPayment(
            id=uuid.uuid4(), account_id=account_id, contact_id=verified.contact_id,
            amount=command.amount.amount, status=PaymentStatus.SUCCEEDED,
            gateway_charge_id=charge.charge_id, method_type=charge.method_type,
            method_last4=charge.method_last4, billing_name=command.billing_name,
            billing_postal_code=command.billing_postal_code, received_at=datetime.now(UTC),
            balance_after=_balance_after(payable, lines),
        )
        await uow.payments.record(payment, lines)
        _emit(uow, payment, allocations, lines, invoices)
        shown: list[Line] = [(line, invoices[str(line.invoice_id)]) for line in lines]
        body = render(PaymentView(payment, shown, []))
        await uow.keys.remember(idempotency, 201, body)
        await uow.commit()
        return body


async def _charge(app: ServiceContext, idempotency: IdempotencyKey, command: PaymentCommand,
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


def applied_lines(allocations: Sequence[Allocation], invoices: dict[str, PayableInvoice]
                  ) -> list[AppliedLine]:
    """Each invoice's new balance and status once its allocation is applied, oldest first.

    Public so the allocation properties are proven on what the payment writes (the unit
    tests run them over generated accounts, without a database)."""
    lines: list[AppliedLine] = []
    for position, allocation in enumerate(allocations):
        row = invoices[allocation.invoice_id]
        remaining, status = invoice_rules.apply(
            row.status, Money(row.amount), Money(row.open_balance), allocation.amount
        )
        lines.append(AppliedLine(row.id, position, allocation.amount.amount, remaining.amount,
                                 status))
    return lines


def _balance_after(payable: Payable, lines: Sequence[AppliedLine]) -> Decimal:
    """The payable balance was read under the account lock: less what this payment applied,
    it is the balance after it (an invoice issued meanwhile shows in the next balance read)."""
    return payable.balance - sum((line.amount for line in lines), Decimal("0.00"))


def _emit(uow: BillingUnitOfWork, payment: NewPayment, allocations: Sequence[Allocation],
          lines: Sequence[AppliedLine], invoices: dict[str, PayableInvoice]) -> None:
    uow.emit(PaymentReceivedV1(
        payment_id=str(payment.id), account_id=str(payment.account_id), amount=payment.amount,
        allocations=[{"invoice_id": a.invoice_id, "invoice_number": a.number,
                      "amount": str(a.amount)} for a in allocations],
        received_at=payment.received_at,
    ))
    for line in lines:
        if line.invoice_status is InvoiceStatus.PAID:
            row = invoices[str(line.invoice_id)]
            uow.emit(InvoicePaidV1(
                invoice_id=str(row.id), invoice_number=row.number,
                account_id=str(payment.account_id), amount=row.amount,
                paid_at=payment.received_at,
            ))
