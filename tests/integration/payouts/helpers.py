"""Small readers shared by the payouts integration tests."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx

from services.payouts.domain.model import Payee
from services.payouts.rails.concourse.client import ConcourseClient
from services.payouts.rails.jpm_payments.client import Debtor
from services.payouts.service.ports import PaymentInstruction
from services.sandbox.notifications import notification_headers
from shared.money import Money
from shared.signing import sign, timestamp_now

from .conftest import SECRET, World


async def payouts(world: World) -> list[Any]:
    return await world.sql("SELECT id, payout_key, status, status_reason FROM payouts")


async def attempts(world: World) -> list[Any]:
    return await world.sql(
        "SELECT id, number, status, sends, checks, provider_reference FROM payout_attempts "
        "ORDER BY created_at")


async def history(world: World) -> list[tuple[str | None, str, str]]:
    rows = await world.sql(
        "SELECT from_status, to_status, action FROM payout_status_history ORDER BY id")
    return [(r.from_status, r.to_status, r.action) for r in rows]


async def expire_leases(world: World) -> None:
    await world.sql("UPDATE payout_attempts SET lease_until = now() - interval '1 second'")


URL = "/v1/callbacks/concourse/status"


def event(end_to_end_id: str, status: str = "COMPLETED", **changes: Any) -> bytes:
    """Concourse's (modelled) callback: Global Payments' ``{"callbacks": [...]}`` with the
    amount echoed; ``changes`` set or replace fields of the item (``exceptions``, ...)."""
    item: dict[str, Any] = {"endToEndId": end_to_end_id,
                            "firmRootId": "596c0f34-7d7a-4f9b-b6f8-91704a63828a",
                            "createDateTime": "2026-01-05T10:00:03.000", "paymentStatus": status,
                            "paymentAmount": 125.0, "paymentCurrency": "USD"}
    item.update(changes)
    return json.dumps({"callbacks": [item]}).encode()


CONCOURSE_PAYMENTS = "/tsapi/v1/concourse/payments"


def concourse_body(end_to_end_id: str, *, amount: str = "125.00", name: str = "Jane Doe",
                   email: str = "jane.doe@gmail.com") -> dict[str, Any]:
    """A Concourse payment request as our client builds it (for a caller other than us)."""
    client = ConcourseClient("http://sandbox.test/tsapi/v1/concourse",
                             debtor=Debtor("000009102574986"))
    payee = Payee(kind="customer", name=name, email=email)
    return client.body(PaymentInstruction(end_to_end_id, Money.of(amount), payee, None))


CHECK_URL = "/v1/callbacks/check"


JPM_URL = "/v1/callbacks/jpm/status"


def jpm_callback(end_to_end_id: str, status: str = "COMPLETED",
                 exceptions: list[dict[str, str]] | None = None) -> bytes:
    """J.P. Morgan's ``paymentInitiationStatus`` callback body, as the spec shapes it."""
    item: dict[str, Any] = {"endToEndId": end_to_end_id,
                            "firmRootId": "596c0f34-7d7a-4f9b-b6f8-91704a63828a",
                            "createDateTime": "2026-01-05T10:00:03.000", "paymentStatus": status}
    if exceptions is not None:
        item["exceptions"] = exceptions
    return json.dumps({"callbacks": [item]}).encode()


def lob_event(end_to_end_id: str, event_type: str = "check.in_transit",
              amount: float = 125.0) -> bytes:
    """Lob's webhook ``event`` for a check of ours (``body``: the check, with our end-to-end
    id in its metadata), as Lob's specification shapes it."""
    return json.dumps({
        "id": "evt_" + uuid.uuid4().hex[:16], "object": "event",
        "reference_id": "chk_534f10783683daa0", "date_created": "2026-01-06T10:00:00Z",
        "event_type": {"id": event_type, "enabled_for_test": True, "resource": "checks",
                       "object": "event_type"},
        "body": {"id": "chk_534f10783683daa0", "object": "check", "amount": amount,
                 "check_number": 10001, "metadata": {"end_to_end_id": end_to_end_id}},
    }).encode()


async def post(world: World, body: bytes, *, secret: str = SECRET,
               timestamp: int | None = None, url: str = URL) -> httpx.Response:
    ts = timestamp_now(time.time()) if timestamp is None else timestamp
    headers = {"Content-Type": "application/json", "Lob-Signature-Timestamp": str(ts),
               "Lob-Signature": sign(secret, ts, body),
               # J.P. Morgan's notification signature, which its rails' routes check.
               **notification_headers(body)}
    return await world.api.post(url, content=body, headers=headers)
