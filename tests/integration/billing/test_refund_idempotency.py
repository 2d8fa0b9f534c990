"""A refund with an Idempotency-Key: a client's retry gets the first answer (not a 409) and
nothing is refunded or reversed twice; the same key with another body is refused."""

from __future__ import annotations

import httpx

from services.billing.service.context import ServiceContext
from tests.integration.api import ok, problem
from warranty_client.portal import PortalAccount

from .test_portal_payments import outbox_messages


async def test_a_retried_refund_returns_the_first_answer(
    acct: PortalAccount, gateway_http: httpx.AsyncClient, billing: ServiceContext
) -> None:
    paid = ok(await acct.pay("130.00", await acct.tokenize()), 201)
    url = f"/v1/payments/{paid['id']}/refund"
    keyed = {**acct.payables, "Idempotency-Key": f"refund-{paid['id']}"}
    first = ok(await acct.billing.post(url, json={"reason": "charged in error"}, headers=keyed))
    again = ok(await acct.billing.post(url, json={"reason": "charged in error"}, headers=keyed))
    assert again == first and first["status"] == "refunded"
    problem(await acct.billing.post(url, json={"reason": "changed my mind"}, headers=keyed),
            422, "idempotency-key-reused")
    # Without a key a repeat is refused as before.
    problem(await acct.billing.post(url, json={"reason": "charged in error"},
                                    headers=acct.payables), 409, "illegal-transition")
    charge = ok(await gateway_http.get(f"/charges/{paid['gateway_charge_id']}"))
    assert charge["refunded"] == "130.00"
    events = await outbox_messages(billing, paid["id"])
    assert [e["type"] for e in events] == ["billing.payment_refunded"]
