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

from services.billing.adapters import repository as repo
from services.billing.adapters.gateway import GatewayRefused
from services.billing.adapters.orm import AllocationKind, AllocationRow
from services.billing.domain import invoice as invoice_rules
from services.billing.domain.errors import IllegalTransition
from services.billing.domain.payment import PaymentAction, fire
from services.billing.service.context import ServiceContext
from services.billing.service.fee_cancellations import settle_if_cancelled
from services.billing.service.idempotency import IdempotencyKey, remember, replay
from services.billing.service.views import PaymentView, payment_view
from shared.auth import Principal
from shared.messaging.contracts import PaymentRefundedV1
from shared.money import Money


async def refund_payment(
    app: ServiceContext, actor: Principal, payment_id: uuid.UUID, reason: str, *,
    render: Callable[[PaymentView], dict[str, Any]], idempotency: IdempotencyKey | None = None,
) -> dict[str, Any]:
    """Returns the rendered refunded payment; with an Idempotency-Key a client's retry gets
    the first answer back (without one, a repeat is a 409: already refunded)."""
    async with app.uow(correlation_id=str(payment_id)) as uow:
        session = uow.session
        if idempotency is not None and (stored := await replay(session, idempotency)) is not None:
            return stored
        account_id = (await repo.payment(session, payment_id)).account_id
        await repo.lock_account(session, account_id)
        payment = await repo.payment(session, payment_id, lock=True)
        await session.refresh(payment)  # the status as of the lock, not as first read
        payment.status = fire(payment.status, PaymentAction.REFUND)
        try:
            refund = await app.gateway.refund(
                f"refund-{payment.id}", payment.gateway_charge_id, Money(payment.amount)
            )
        except GatewayRefused as exc:
            raise IllegalTransition("payment", "succeeded", f"refund ({exc.detail})", []
                                    ) from exc
        now = datetime.now(UTC)
        reversals: list[dict[str, str]] = []
        for applied, invoice in await repo.allocations(session, [payment.id],
                                                        AllocationKind.APPLY):
            reversals.append({"invoice_id": str(invoice.id), "amount": f"{applied.amount:.2f}"})
            reopened, invoice.status = invoice_rules.reverse(
                invoice.status, Money(invoice.amount), Money(invoice.open_balance),
                Money(applied.amount),
            )
            invoice.open_balance, invoice.updated_at = reopened.amount, now
            await settle_if_cancelled(session, invoice, now)
            session.add(AllocationRow(
                payment_id=payment.id, invoice_id=invoice.id, kind=AllocationKind.REVERSE,
                position=applied.position, amount=applied.amount,
                invoice_remaining=reopened.amount, created_at=now,
            ))
        payment.gateway_refund_id, payment.refunded_at = refund.refund_id, now
        payment.refunded_by, payment.refund_reason = actor.subject, reason
        await session.flush()
        uow.emit(PaymentRefundedV1(
            payment_id=str(payment.id), account_id=str(payment.account_id),
            amount=payment.amount, reversals=reversals, reason=reason, refunded_at=now,
        ))
        body = render(await payment_view(session, payment))
        if idempotency is not None:
            await remember(session, idempotency, 200, body)
        await uow.commit()
    return body
