"""Lob's webhook ``event`` for a check (``POST /v1/callbacks/check``), read into the
rail-neutral ``ProviderCallback``. The printer's events are tracking, never payment: the bank's
paid-items report pays a check (``service/checks.py``)."""

from __future__ import annotations

from typing import Any

from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.service.callbacks import ProviderCallback

from .wire import LobEvent, amount_of

RETURNED_REASON = "returned to sender: undeliverable as addressed"


def to_callback(event: LobEvent) -> ProviderCallback | None:
    """None for an event that names no attempt of ours (``check.deleted`` carries only the
    check id: our DELETE's answer already applied it)."""
    observation = event.observation()
    check = event.check()
    if check is None:
        return None
    return ProviderCallback(
        rail=Rail.CHECK, event_id=event.id, end_to_end_id=check.end_to_end_id,
        provider_reference=check.reference, observation=observation,
        provider_status=event.provider_status, amount=amount_of(check.amount), currency="USD",
        reason=RETURNED_REASON if observation is Observation.RETURNED else None,
    )


def parse_callbacks(raw: bytes) -> list[ProviderCallback]:
    """Raises ``ValidationError`` (not Lob's event) or ``ProviderProtocolError`` (not a check
    event, or a check without our end-to-end id)."""
    callback = to_callback(LobEvent.model_validate_json(raw))
    return [] if callback is None else [callback]


def event_schema() -> dict[str, Any]:
    return LobEvent.model_json_schema()


EXAMPLE: dict[str, Any] = {
    "id": "evt_9e6f1e2b3c4d5a60", "object": "event", "reference_id": "chk_534f10783683daa0",
    "date_created": "2026-01-06T10:00:00Z",
    "event_type": {"id": "check.in_transit", "enabled_for_test": True, "resource": "checks",
                   "object": "event_type"},
    "body": {"id": "chk_534f10783683daa0", "object": "check", "amount": 250.0,
             "check_number": 10001, "metadata": {"end_to_end_id": "K3V9Q2M7X1B4C8D5"}},
}
