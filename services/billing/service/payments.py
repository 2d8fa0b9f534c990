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
from services.billing.adapters.repositories import AppliedLine, NewPayment, Payable, PayableInvoice
from services.billing.domain.allocation import Allocation, OpenInvoice, allocate
from services.billing.domain.errors import InvalidPaymentMethod, PaymentDeclined
from services.billing.domain.invoice import InvoicePaid
from services.billing.domain.payment import PaymentStatus, received
from services.billing.service import access
from services.billing.service.context import ServiceContext
from services.billing.service.idempotency import IdempotencyKey
from services.billing.service.views import Line, PaymentView
from shared.auth import Principal
from shared.idempotency import Answer
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
            return stored.body
        await uow.accounts.lock(account_id)
        # Only the oldest invoices the amount reaches are read: allocated over them it is
        # allocated as over all of them, and the balance of all comes along.
        payable = await uow.invoices.oldest_payable(account_id, command.amount.amount)
        invoices = {str(row.id): row for row in payable.invoices}
        allocations = allocate(command.amount, [open_invoice(r) for r in payable.invoices])
        charge = await _charge(app, idempotency, command, verified.customer_id)
        received_at = datetime.now(UTC)
        lines, paid = applied_lines(allocations, invoices, at=received_at)
        payment = NewPayment(
            id=uuid.uuid4(), account_id=account_id, contact_id=verified.contact_id,
            amount=command.amount.amount, status=PaymentStatus.SUCCEEDED,
            gateway_charge_id=charge.charge_id, method_type=charge.method_type,
            method_last4=charge.method_last4, billing_name=command.billing_name,
            billing_postal_code=command.billing_postal_code, received_at=received_at,
            balance_after=_balance_after(payable, lines),
        )
        await uow.payments.record(payment, lines)
        uow.record(received(payment, allocations), *paid)
        shown: list[Line] = [(line, invoices[str(line.invoice_id)]) for line in lines]
        body = render(PaymentView(payment, shown, []))
        await uow.keys.remember(idempotency, Answer(201, body))
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


def applied_lines(allocations: Sequence[Allocation], invoices: dict[str, PayableInvoice], *,
                  at: datetime) -> tuple[list[AppliedLine], list[InvoicePaid]]:
    """Each allocation applied to its invoice (its new balance and status, oldest first), and
    the invoices it left paid.

    Public so the allocation properties are proven on what the payment writes (the unit
    tests run them over generated accounts, without a database)."""
    lines: list[AppliedLine] = []
    paid: list[InvoicePaid] = []
    for position, allocation in enumerate(allocations):
        invoice = invoices[allocation.invoice_id]
        paid += invoice.apply_payment(allocation.amount, at=at)
        lines.append(AppliedLine(invoice.id, position, allocation.amount.amount,
                                 invoice.open_balance, invoice.status))
    return lines, paid


def _balance_after(payable: Payable, lines: Sequence[AppliedLine]) -> Decimal:
    """The payable balance was read under the account lock: less what this payment applied,
    it is the balance after it (an invoice issued meanwhile shows in the next balance read)."""
    return payable.balance - sum((line.amount for line in lines), Decimal("0.00"))
