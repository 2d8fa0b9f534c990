"""Concourse's (modelled) status callback: Global Payments' ``{"callbacks": [...]}`` shape,
POSTed to ``<client-url>/status`` (our registered client URL is ``/v1/callbacks/concourse``),
read into the rail-neutral ``ProviderCallback``. A delivery is identified by the payment and
the status it announces, as J.P. Morgan's are: a redelivery of the same status is a duplicate."""

from __future__ import annotations

from services.payouts.domain.model import Rail
from services.payouts.rails.jpm_payments.client import rejection
from services.payouts.service.callbacks import ProviderCallback
from shared.money import Money

from .statuses import IMPLIED_REASON_CODES, observe
from .wire import ConcourseCallbackBody, ConcourseCallbackItem


def event_id(item: ConcourseCallbackItem) -> str:
    return f"concourse:{item.end_to_end_id}:{item.payment_status}"[:100]


def to_callback(item: ConcourseCallbackItem) -> ProviderCallback:
    reason, code = rejection(item.exceptions)
    amount = None if item.payment_amount is None else Money(item.payment_amount)
    return ProviderCallback(
        rail=Rail.CONCOURSE, event_id=event_id(item), end_to_end_id=item.end_to_end_id,
        provider_reference=item.firm_root_id, observation=observe(item.payment_status),
        provider_status=item.payment_status, amount=amount, currency=item.payment_currency,
        reason=reason, reason_code=code or IMPLIED_REASON_CODES.get(item.payment_status),
    )


def parse_callbacks(raw: bytes) -> list[ProviderCallback]:
    """Raises ``ValidationError`` (malformed) or ``ProviderProtocolError`` (unknown status)."""
    return [to_callback(item) for item in ConcourseCallbackBody.model_validate_json(raw).callbacks]
