"""Use case: claims cancelled a dispatched job before its visit, so its service fee is not owed.

The job's fee invoice (``job:<id>``) is voided if nothing is paid on it; if a payment is applied
to it the invoice stays owed and says why (``void_refused_reason``) until that payment is
refunded, and the refund voids it (``settle_cancelled_fee``, called by the refund). The
cancellation itself is recorded whatever the invoice's state, so a dispatch event delivered
after it (out of order) raises no invoice at all.

Both this and the dispatch's billing take the account's lock first: a cancellation and the
dispatch of the same job handled at once by two workers run one after the other, so one of them
always sees the other's row (without it each could miss the other and the fee stay owed).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from services.billing.adapters.orm import FeeCancellationRow, InvoiceRow
from services.billing.adapters.unit_of_work import BillingUnitOfWork
from services.billing.domain.invoice import InvoiceStatus
from services.billing.service.context import CLAIMS_ACTOR, ServiceContext
from shared.messaging.contracts import ServiceJobCancelledV1
from shared.messaging.envelope import Envelope

log = logging.getLogger(__name__)
CONSUMER = "billing.claims-events"


def job_source(job_id: str) -> str:
    """The invoice source of a dispatched job's fee (``InvoiceRow.source_ref``)."""
    return f"job:{job_id}"


async def void_cancelled_job_fee(app: ServiceContext, envelope: Envelope,
                                 event: ServiceJobCancelledV1) -> bool:
    """Record the cancellation and settle the job's fee invoice if it exists; False if this
    message was already handled."""
    async with app.uow(caused_by=envelope) as uow:
        if not await uow.first_delivery(CONSUMER, envelope):
            return False
        account = await uow.accounts.ensure(event.customer_id, CLAIMS_ACTOR)
        await uow.accounts.lock(account.id)
        cancellation = await uow.fee_cancellations.record(FeeCancellationRow(
            source_ref=job_source(event.job_id), customer_id=event.customer_id,
            reason=event.reason[:200], cancelled_at=event.cancelled_at,
        ))
        found = await uow.invoices.by_source(cancellation.source_ref)
        if found is None:
            log.info("service job %s cancelled before it was billed: no invoice will be raised",
                     event.job_id)
        else:
            await uow.invoices.reload(found)  # its balance as of the lock
            await settle_cancelled_fee(uow, found, cancellation, datetime.now(UTC))
        await uow.commit()
    return True


async def settle_cancelled_fee(uow: BillingUnitOfWork, invoice: InvoiceRow,
                               cancellation: FeeCancellationRow, now: datetime) -> None:
    """Void ``invoice`` (locked account) for its cancelled job, or record why it stays owed."""
    if invoice.status is InvoiceStatus.VOID:
        return  # voided already (by staff, or by this cancellation delivered again)
    paid_by = await uow.payments.unrefunded_of(invoice.id)
    outcome = invoice.cancel_job_fee(cancellation.reason, [str(p) for p in paid_by], at=now)
    if outcome.refused is not None:
        log.warning("fee invoice %s kept for cancelled job: %s", invoice.number, outcome.refused)


async def settle_if_cancelled(uow: BillingUnitOfWork, invoice: InvoiceRow, now: datetime
                              ) -> None:
    """After a refund reopened ``invoice``: void it if its job was cancelled meanwhile."""
    if invoice.source_ref is None or invoice.status is InvoiceStatus.VOID:
        return
    cancellation = await uow.fee_cancellations.get(invoice.source_ref)
    if cancellation is not None:
        await settle_cancelled_fee(uow, invoice, cancellation, now)
