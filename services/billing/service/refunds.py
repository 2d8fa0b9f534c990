"""Use case: refund a portal payment in full, reversing exactly its allocations.

Under the account's lock (like a payment): the payment moves succeeded -> refunded, the gateway
refunds the charge (keyed by the payment id, so a retry never refunds twice), and for every
``apply`` row of the payment one ``reverse`` row of the same amount is written and that invoice's
open balance goes back up (paid -> partially paid or open). Rows are never edited; a unique
(payment, invoice, kind) constraint makes a second reversal impossible even by mistake.
A service-fee invoice kept owed only because this payment was applied to it after its job was
cancelled is voided here (``fee_cancellations.settle_if_cancelled``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from services.billing.adapters.gateway import GatewayRefused, Refunded
from services.billing.adapters.orm import AllocationKind, PaymentRow
from services.billing.domain.errors import IllegalTransition
from services.billing.domain.payment import Reversal
from services.billing.service.context import ServiceContext
from services.billing.service.fee_cancellations import settle_if_cancelled
from services.billing.service.idempotency import IdempotencyKey
from services.billing.service.views import PaymentView, payment_view
from shared.auth import Principal
from shared.idempotency import Answer
from shared.money import Money


async def refund_payment(
    app: ServiceContext, actor: Principal, payment_id: uuid.UUID, reason: str, *,
    render: Callable[[PaymentView], dict[str, Any]], idempotency: IdempotencyKey | None = None,
) -> dict[str, Any]:
    """Returns the rendered refunded payment; with an Idempotency-Key a client's retry gets
    the first answer back (without one, a repeat is a 409: already refunded)."""
    async with app.uow(correlation_id=str(payment_id)) as uow:
        if idempotency is not None and (
                stored := await uow.keys.replay(idempotency)) is not None:
            return stored.body
        account_id = (await uow.payments.get(payment_id)).account_id
        await uow.accounts.lock(account_id)
        payment = await uow.payments.lock(payment_id)  # the status as of the lock
        payment.check_refund()
        refund = await _refund(app, payment)
        now = datetime.now(UTC)
        applied = await uow.payments.allocations([payment.id], AllocationKind.APPLY)
        reversals = [Reversal(invoice.id, row.amount) for row, invoice in applied]
        uow.record(*payment.refund(refund_id=refund.refund_id, by=actor.subject, reason=reason,
                                   at=now, reversals=reversals))
        for row, invoice in applied:
            invoice.reverse_payment(Money(row.amount), at=now)
            # Once the payment is refunded: it no longer keeps a cancelled job's fee owed.
            await settle_if_cancelled(uow, invoice, now)
            uow.payments.add_reversal(row, invoice.open_balance, now)
        body = render(await payment_view(uow.payments, payment))
        if idempotency is not None:
            await uow.keys.remember(idempotency, Answer(200, body))
        await uow.commit()
    return body


async def _refund(app: ServiceContext, payment: PaymentRow) -> Refunded:
    try:
        return await app.gateway.refund(
            f"refund-{payment.id}", payment.gateway_charge_id, Money(payment.amount)
        )
    except GatewayRefused as exc:
        raise IllegalTransition("payment", "succeeded", f"refund ({exc.detail})", []
                                ) from exc

