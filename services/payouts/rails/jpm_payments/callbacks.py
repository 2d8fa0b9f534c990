"""J.P. Morgan's ``paymentInitiationStatus`` callback (``POST {client-url}/status`` with
``{"callbacks": [...]}``), read into the rail-neutral ``ProviderCallback``.

The callback carries no event id and no amount: a delivery is identified by the payment and the
status it announces (a redelivery of the same status is a duplicate), and the endToEndId alone
ties it to our attempt.
"""

from __future__ import annotations

from services.payouts.domain.model import Rail
from services.payouts.service.callbacks import ProviderCallback

from .client import rejection
from .statuses import observe
from .wire import CallbackBody, CallbackItem


def event_id(item: CallbackItem) -> str:
    return f"jpm:{item.end_to_end_id}:{item.payment_status}"[:100]


def to_callback(item: CallbackItem, rail: Rail) -> ProviderCallback:
    reason, code = rejection(item.exceptions)
    return ProviderCallback(
        rail=rail, event_id=event_id(item), end_to_end_id=item.end_to_end_id,
        provider_reference=item.firm_root_id, observation=observe(item.payment_status),
        provider_status=item.payment_status, amount=None, currency=None, reason=reason,
        reason_code=code,
    )


def parse_callbacks(raw: bytes, rail: Rail) -> list[ProviderCallback]:
    """Raises ``ValidationError`` (malformed) or ``ProviderProtocolError`` (unknown status)."""
    return [to_callback(item, rail) for item in CallbackBody.model_validate_json(raw).callbacks]
