"""Consumer of ``claims.payout-events``: decode the report, apply it with the same use case
whatever the delivery count. A domain refusal (unknown payout, a contradiction) can never
succeed on retry, so it parks the message for an operator; anything else is retried."""

from __future__ import annotations

from services.claims.domain.errors import DomainError
from services.claims.service.context import ServiceContext
from services.claims.service.payout_events import REPORTS, apply_payout_event
from shared.messaging.consumer import Handler, PermanentError
from shared.messaging.envelope import Envelope

QUEUE = "claims.payout-events"


def payout_events_handler(app: ServiceContext) -> Handler:
    async def handle(envelope: Envelope) -> None:
        report = envelope.open()
        if not isinstance(report, REPORTS):
            raise PermanentError(f"{QUEUE} does not handle {envelope.type} v{envelope.version}")
        try:
            await apply_payout_event(app, envelope, report)
        except DomainError as exc:
            raise PermanentError(f"{exc.code}: {exc.detail}") from exc

    return handle
