"""A refund reverses exactly its payment's allocations, through the gateway; allocation rows
are immutable in the database itself."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.billing.service.context import ServiceContext
from tests.integration.api import ok, problem
from warranty_client.portal import PortalAccount

from .test_portal_payments import outbox_messages


async def test_refund_reopens_exactly_what_the_payment_paid(
    acct: PortalAccount, gateway_http: httpx.AsyncClient, billing: ServiceContext
) -> None:
    first = ok(await acct.pay("130.00", await acct.tokenize()), 201)   # 100 + 30 of 50
    second = ok(await acct.pay("40.00", await acct.tokenize()), 201)   # 20 + 20 of 75
    assert (await acct.balance())["balance"] == "55.00"

    refunded = ok(await acct.billing.post(f"/v1/payments/{first['id']}/refund",
                                          json={"reason": "charged in error"},
                                          headers=acct.payables))
    assert refunded["status"] == "refunded"
    assert [(r["invoice_date"], r["amount_applied"], r["invoice_remaining"])
            for r in refunded["reversals"]] == [("2026-09-01", "100.00", "100.00"),
                                                 ("2026-09-20", "30.00", "30.00")]
    statuses = {i["invoice_date"]: (i["status"], i["open_balance"])
                for i in await acct.list_invoices()}
    # the second payment's 20.00 on the 09-20 invoice stays applied
    assert statuses == {"2026-09-01": ("open", "100.00"),
                        "2026-09-20": ("partially_paid", "30.00"),
                        "2026-10-15": ("partially_paid", "55.00")}
    assert (await acct.balance())["balance"] == "185.00"
    charge = ok(await gateway_http.get(f"/charges/{first['gateway_charge_id']}"))
    assert charge["refunded"] == "130.00"

    events = await outbox_messages(billing, first["id"])
    assert [(e["type"], [r["amount"] for r in e["reversals"]]) for e in events] == [
        ("billing.payment_refunded", ["100.00", "30.00"])]

    again = await acct.billing.post(f"/v1/payments/{first['id']}/refund",
                                    json={"reason": "twice"}, headers=acct.payables)
    problem(again, 409, "illegal-transition")
    assert (await acct.balance())["balance"] == "185.00"
    still = ok(await acct.billing.get(f"/v1/payments/{second['id']}", headers=acct.staff))
    assert still["status"] == "succeeded" and still["reversals"] == []


async def test_only_payables_or_ops_refund(acct: PortalAccount) -> None:
    paid = ok(await acct.pay("10.00", await acct.tokenize()), 201)
    for headers in (acct.staff, acct.portal(acct.company)):
        problem(await acct.billing.post(f"/v1/payments/{paid['id']}/refund",
                                        json={"reason": "no"}, headers=headers),
                403, "forbidden")
    problem(await acct.billing.post(f"/v1/payments/{uuid.uuid4()}/refund",
                                    json={"reason": "no"}, headers=acct.payables),
            404, "not-found")


@pytest.mark.parametrize("statement", [
    "UPDATE payment_allocations SET amount = amount + 1 WHERE payment_id = :p",
    "DELETE FROM payment_allocations WHERE payment_id = :p",
])
async def test_allocation_rows_cannot_be_changed(
    acct: PortalAccount, billing: ServiceContext, statement: str
) -> None:
    paid = ok(await acct.pay("10.00", await acct.tokenize()), 201)
    async with billing.sessions() as session:
        with pytest.raises(DBAPIError, match="immutable"):
            await session.execute(text(statement), {"p": uuid.UUID(paid["id"])})
