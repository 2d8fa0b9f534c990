"""The billing unit of work: the repositories a use case reaches the database through, and the
messages its entities' events become when it commits.

Billing keeps no audit trail: each event is one outgoing message, staged in the outbox in the
same transaction as the change it announces, in the order the events were recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.adapters.orm import IdempotencyKeyRow, utcnow
from services.billing.adapters.repositories import (
    AccountRepository,
    FeeCancellationRepository,
    InvoiceRepository,
    PaymentRepository,
)
from services.billing.domain.errors import IdempotencyKeyReused
from services.billing.domain.invoice import InvoicePaid
from services.billing.domain.payment import PaymentReceived, PaymentRefunded
from shared.domain.events import DomainEvent
from shared.idempotency import IdempotencyKeys, IdempotencyStore
from shared.messaging.contracts import (
    Contract,
    InvoicePaidV1,
    PaymentReceivedV1,
    PaymentRefundedV1,
)
from shared.uow import UnitOfWork

# Idempotency keys: ``shared.idempotency`` over this service's own row, refusing a reused key
# with its own error; opened as ``uow.keys``. If a payment fails (declined, gateway down) its
# transaction, key included, rolls back and a repeat runs afresh, and reaches the gateway with
# the same gateway key, so the gateway answers with the first charge instead of charging again.
_REUSED = "this Idempotency-Key was used for a different payment; use a new key"
KEYS = IdempotencyStore(IdempotencyKeyRow, partial(IdempotencyKeyReused, _REUSED), stamp=utcnow)


class BillingUnitOfWork(UnitOfWork):
    accounts: AccountRepository
    invoices: InvoiceRepository
    fee_cancellations: FeeCancellationRepository
    payments: PaymentRepository
    keys: IdempotencyKeys

    def bind(self, session: AsyncSession) -> None:
        self.accounts = AccountRepository(session)
        self.invoices = InvoiceRepository(session)
        self.fee_cancellations = FeeCancellationRepository(session)
        self.payments = PaymentRepository(session)
        self.keys = IdempotencyKeys(session, KEYS)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            self.emit(message(event))


def message(event: DomainEvent) -> Contract:
    """The ``billing.*`` message that announces ``event``."""
    if type(event) is InvoicePaid:
        return InvoicePaidV1(
            invoice_id=str(event.invoice_id), invoice_number=event.invoice_number,
            account_id=str(event.account_id), amount=event.amount, paid_at=event.paid_at,
        )
    if type(event) is PaymentReceived:
        return PaymentReceivedV1(
            payment_id=str(event.payment_id), account_id=str(event.account_id),
            amount=event.amount,
            allocations=[{"invoice_id": a.invoice_id, "invoice_number": a.number,
                          "amount": str(a.amount)} for a in event.allocations],
            received_at=event.received_at,
        )
    if type(event) is PaymentRefunded:
        return PaymentRefundedV1(
            payment_id=str(event.payment_id), account_id=str(event.account_id),
            amount=event.amount,
            reversals=[{"invoice_id": str(r.invoice_id), "amount": f"{r.amount:.2f}"}
                       for r in event.reversals],
            reason=event.reason, refunded_at=event.refunded_at,
        )
    raise TypeError(f"the billing unit of work does not publish {type(event).__name__}")
