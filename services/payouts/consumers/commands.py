"""Consumer of ``payouts.commands``: payout requests from claims (and later other requesters)."""

from __future__ import annotations

from services.payouts.service.context import ServiceContext
from services.payouts.service.requests import ConflictingPayoutRequestError, request_payout
from shared.messaging.consumer import Handler, PermanentError
from shared.messaging.contracts import RequestPayoutV1
from shared.messaging.envelope import Envelope

QUEUE = "payouts.commands"


def request_payout_handler(app: ServiceContext) -> Handler:
    async def handle(envelope: Envelope) -> None:
        command = envelope.open()
        if not isinstance(command, RequestPayoutV1):
            raise PermanentError(f"{QUEUE} does not take {envelope.type} v{envelope.version}")
        try:
            await request_payout(app, command, envelope)
        except ConflictingPayoutRequestError as exc:
            # Retrying cannot make two different instructions one; an operator must decide.
            raise PermanentError(str(exc)) from exc

    return handle
