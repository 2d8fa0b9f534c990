"""Consumer of ``billing.claims-events``: a dispatched job's service fee becomes an invoice.
A message of another type can never succeed, so it is parked; anything else is retried."""

from __future__ import annotations

from services.billing.domain.errors import DomainError
from services.billing.service.context import Billing
from services.billing.service.invoices import bill_dispatched_job
from shared.messaging.consumer import Handler, PermanentError
from shared.messaging.contracts import ServiceJobDispatchedV1
from shared.messaging.envelope import Envelope

QUEUE = "billing.claims-events"


def claims_events_handler(app: Billing) -> Handler:
    async def handle(envelope: Envelope) -> None:
        event = envelope.open()
        if not isinstance(event, ServiceJobDispatchedV1):
            raise PermanentError(f"{QUEUE} does not handle {envelope.type} v{envelope.version}")
        try:
            await bill_dispatched_job(app, envelope, event)
        except DomainError as exc:
            raise PermanentError(f"{exc.code}: {exc.detail}") from exc

    return handle
