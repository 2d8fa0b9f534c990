"""Consumer of ``billing.claims-events``: a dispatched job's service fee becomes an invoice, and
a job cancelled before its visit voids it. A message of another type can never succeed, so it
is parked; anything else is retried."""

from __future__ import annotations

from services.billing.domain.errors import DomainError
from services.billing.service.context import ServiceContext
from services.billing.service.fee_cancellations import void_cancelled_job_fee
from services.billing.service.invoices import bill_dispatched_job
from shared.messaging.consumer import Handler, PermanentError
from shared.messaging.contracts import ServiceJobCancelledV1, ServiceJobDispatchedV1
from shared.messaging.envelope import Envelope

QUEUE = "billing.claims-events"


def claims_events_handler(app: ServiceContext) -> Handler:
    async def handle(envelope: Envelope) -> None:
        event = envelope.open()
        try:
            if isinstance(event, ServiceJobDispatchedV1):
                await bill_dispatched_job(app, envelope, event)
            elif isinstance(event, ServiceJobCancelledV1):
                await void_cancelled_job_fee(app, envelope, event)
            else:
                raise PermanentError(
                    f"{QUEUE} does not handle {envelope.type} v{envelope.version}")
        except DomainError as exc:
            raise PermanentError(f"{exc.code}: {exc.detail}") from exc

    return handle
