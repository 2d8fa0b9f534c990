"""Lob's check object and check events as the sandbox gives them (see ``lob``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.money import json_number

from .state import Payment, PaymentStatus

S = PaymentStatus
TRACKING = {S.MAILED: "Mailed", S.IN_TRANSIT: "In Transit", S.DELIVERED: "Delivered",
            S.RETURNED_TO_SENDER: "Returned to Sender"}
EVENT_TYPES = {S.CREATED: "check.created", S.MAILED: "check.mailed",
               S.IN_TRANSIT: "check.in_transit", S.DELIVERED: "check.delivered",
               S.RETURNED_TO_SENDER: "check.returned_to_sender", S.VOIDED: "check.deleted"}
_ORDER = [S.MAILED, S.IN_TRANSIT, S.DELIVERED]


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _address(fields: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {"id": "adr_" + uuid.uuid5(uuid.NAMESPACE_URL, str(sorted(fields.items()))).hex[:16],
            **{k: v for k, v in fields.items() if v is not None},
            # Lob answers the country spelled out, whatever the request's two-letter code.
            "address_country": "UNITED STATES", "object": "address",
            "date_created": stamp(at), "date_modified": stamp(at)}


def _tracking(payment: Payment) -> list[dict[str, Any]]:
    reached = [s for s in _ORDER if _reached(payment, s)]
    if payment.status is S.RETURNED_TO_SENDER:
        reached.append(S.RETURNED_TO_SENDER)
    at = payment.mailed_at or payment.created_at
    return [{"id": f"evnt_{payment.payment_id[4:]}{i}", "type": "normal",
             "name": TRACKING[status], "time": stamp(at), "date_created": stamp(at),
             "date_modified": stamp(at), "object": "tracking_event"}
            for i, status in enumerate(reached)]


def _reached(payment: Payment, status: S) -> bool:
    if payment.mailed_at is None:
        return False
    if payment.status in _ORDER:
        return _ORDER.index(status) <= _ORDER.index(payment.status)
    # Cashed, stopped or returned: it went through the mail as far as delivery (or not).
    return payment.status in (S.CASHED, S.STOPPED) or status is not S.DELIVERED


def check_object(payment: Payment) -> dict[str, Any]:
    """Lob's ``check`` as of the sandbox clock's present."""
    lob = payment.lob or {}
    created = payment.created_at
    body: dict[str, Any] = {
        "id": payment.payment_id,
        "to": _address(lob["to"], created), "from": _address(lob["from"], created),
        "bank_account": {"id": lob["bank_account"], "routing_number": "322271627",
                         "account_number": "123456789", "account_type": "company",
                         "signatory": "Homeward Warranty Co", "bank_name":
                         "JPMORGAN CHASE BANK", "verified": True, "object": "bank_account",
                         "date_created": stamp(created), "date_modified": stamp(created)},
        "amount": json_number(payment.amount),
        "check_number": payment.check_number,
        "memo": payment.memo,
        "metadata": lob.get("metadata", {}),
        "send_date": lob["send_date"],
        "mail_type": "usps_first_class",
        "carrier": "USPS",
        "use_type": lob.get("use_type"),
        "url": f"https://lob-assets.com/checks/{payment.payment_id}.pdf?expires=1893456000"
               "&signature=sandbox",
        "tracking_events": _tracking(payment),
        "object": "check",
        "date_created": stamp(created),
        "date_modified": stamp(payment.mailed_at or created),
    }
    if lob.get("message"):
        body["message"] = lob["message"]
    return body


def lob_event(payment: Payment, at: datetime) -> dict[str, Any] | None:
    """Lob's ``event`` for a check's new state; None where Lob says nothing (cashed and
    stopped are the bank's, not the printer's)."""
    event_type = EVENT_TYPES.get(payment.status)
    if event_type is None:
        return None
    body = {"id": payment.payment_id, "deleted": True} if payment.status is S.VOIDED \
        else check_object(payment)
    return {"id": "evt_" + uuid.uuid4().hex[:16], "body": body,
            "reference_id": payment.payment_id, "date_created": stamp(at), "object": "event",
            "event_type": {"id": event_type, "enabled_for_test": True, "resource": "checks",
                           "object": "event_type"}}
