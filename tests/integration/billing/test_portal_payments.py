"""Seed 002 through the API: pay part of the balance, oldest invoice first; idempotency;
refusals that change nothing; events in the outbox."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from services.billing.service.context import ServiceContext
from shared.messaging.tables import outbox
from tests.integration.api import ok, problem
from warranty_client.portal import DECLINED_CARD, PortalAccount

from .conftest import gateway_charges


def applied(confirmation: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(a["invoice_date"], a["amount_applied"], a["invoice_remaining"])
            for a in confirmation["allocations"]]


async def outbox_messages(billing: ServiceContext, account_id: str) -> list[dict[str, Any]]:
    async with billing.sessions() as session:
        rows = (await session.execute(
            select(outbox.c.type, outbox.c.body).where(outbox.c.correlation_id == account_id)
            .order_by(outbox.c.id)
        )).all()
    return [{"type": t, **json.loads(body)["payload"]} for t, body in rows]


async def test_part_of_the_balance_is_applied_oldest_first(
    acct: PortalAccount, billing: ServiceContext
) -> None:
    token = await acct.tokenize()
    confirmation = ok(await acct.pay("130.00", token), 201)

    assert applied(confirmation) == [("2026-09-01", "100.00", "0.00"),
                                     ("2026-09-20", "30.00", "20.00")]
    assert confirmation["balance_after"] == "95.00"
    assert confirmation["method"] == "card ending 4242"
    assert (await acct.balance())["balance"] == "95.00"
    statuses = {i["invoice_date"]: (i["status"], i["open_balance"])
                for i in await acct.list_invoices()}
    assert statuses == {"2026-09-01": ("paid", "0.00"), "2026-09-20": ("partially_paid", "20.00"),
                        "2026-10-15": ("open", "75.00")}

    messages = await outbox_messages(billing, acct.account["id"])
    assert [m["type"] for m in messages] == ["billing.payment_received", "billing.invoice_paid"]
    assert messages[0]["amount"] == "130.00"
    assert [a["amount"] for a in messages[0]["allocations"]] == ["100.00", "30.00"]
    assert messages[1]["invoice_number"] == acct.invoices[1]["number"]

    history = ok(await acct.billing.get(f"{acct.path}/payments",
                                        headers=acct.portal(acct.company)))
    assert [p["id"] for p in history] == [confirmation["id"]]
    read = ok(await acct.billing.get(f"/v1/payments/{confirmation['id']}",
                                     headers=acct.portal(acct.company)))
    assert read == confirmation


async def test_same_date_is_ordered_by_invoice_number(
    client: httpx.AsyncClient, gateway_http: httpx.AsyncClient, acct: PortalAccount
) -> None:
    # same date as the oldest, but a higher number: paid after it, before the 09-20 one
    extra = await acct.add_invoice("2026-09-01", "10.00", number=f"{acct.customer_id}-900")
    confirmation = ok(await acct.pay("105.00", await acct.tokenize()), 201)
    numbers = [a["invoice_number"] for a in confirmation["allocations"]]
    assert numbers == [acct.invoices[1]["number"], extra["number"]]


async def test_a_repeat_returns_the_first_confirmation_and_charges_once(
    acct: PortalAccount, gateway_http: httpx.AsyncClient
) -> None:
    token = await acct.tokenize()
    charges_before = len(await gateway_charges(gateway_http))
    first = ok(await acct.pay("40.00", token, key="same-key"), 201)
    again = ok(await acct.pay("40.00", token, key="same-key"), 201)
    assert again == first
    assert (await acct.balance())["balance"] == "185.00"
    assert len(await gateway_charges(gateway_http)) == charges_before + 1

    other = await acct.pay("41.00", token, key="same-key")
    problem(other, 422, "idempotency-key-reused")
    assert (await acct.balance())["balance"] == "185.00"


async def test_more_than_the_balance_is_refused_before_charging(
    acct: PortalAccount, gateway_http: httpx.AsyncClient
) -> None:
    charges_before = len(await gateway_charges(gateway_http))
    body = problem(await acct.pay("225.01", await acct.tokenize()), 422,
                   "payment-exceeds-balance")
    assert "payable balance of 225.00" in body["detail"]
    assert len(await gateway_charges(gateway_http)) == charges_before
    assert (await acct.balance())["balance"] == "225.00"


async def test_a_declined_card_leaves_everything_unchanged(
    acct: PortalAccount, billing: ServiceContext
) -> None:
    invoices_before = await acct.list_invoices()
    declined = await acct.tokenize(DECLINED_CARD)
    body = problem(await acct.pay("50.00", declined, key="k-declined"), 402, "payment-declined")
    assert body["decline_reason"] == "card_declined"
    assert await acct.list_invoices() == invoices_before
    assert ok(await acct.billing.get(f"{acct.path}/payments",
                                     headers=acct.portal(acct.company))) == []
    assert await outbox_messages(billing, acct.account["id"]) == []
    # the key was not used up: the same key with another card pays
    ok(await acct.pay("50.00", await acct.tokenize(), key="k-declined"), 201)


async def test_site_contacts_and_contacts_without_access_are_refused(acct: PortalAccount) -> None:
    token = await acct.tokenize()
    problem(await acct.pay("10.00", token, contact=acct.site), 403, "portal-access-denied")
    no_access = await acct.add_contact("Ned NoPortal", "company", portal_access=False)
    problem(await acct.pay("10.00", token, contact=no_access), 403, "portal-access-denied")
    for contact in (acct.site, no_access):
        problem(await acct.billing.get(f"{acct.path}/invoices", headers=acct.portal(contact)),
                403, "portal-access-denied")
    assert (await acct.balance())["balance"] == "225.00"


async def test_another_accounts_contact_sees_nothing(
    acct: PortalAccount, client: httpx.AsyncClient, gateway_http: httpx.AsyncClient
) -> None:
    other = await PortalAccount(client, gateway_http, acct.settings).open()
    paid = ok(await acct.pay("10.00", await acct.tokenize()), 201)
    stranger = other.portal(other.company)  # a valid portal user of another account
    for path in (acct.path, f"{acct.path}/invoices", f"{acct.path}/balance",
                 f"{acct.path}/payments", f"/v1/payments/{paid['id']}"):
        problem(await client.get(path, headers=stranger), 404, "not-found")
    response = await client.post(
        f"{acct.path}/payments", headers={**stranger, "Idempotency-Key": "x"},
        json={"amount": "1.00", "payment_method_token": await other.tokenize(),
              "billing_details": {"name": "X", "postal_code": "78701"}})
    problem(response, 404, "not-found")
    # nor does a token claiming this account whose subject is the other account's contact
    problem(await client.get(f"{acct.path}/invoices",
                             headers=acct.portal(other.company)), 403, "portal-access-denied")


async def test_a_card_number_is_never_accepted(acct: PortalAccount) -> None:
    body = {"amount": "10.00", "card_number": "4242424242424242",
            "billing_details": {"name": "Pat", "postal_code": "78701"}}
    response = await acct.billing.post(f"{acct.path}/payments", json=body, headers={
        **acct.portal(acct.company), "Idempotency-Key": str(uuid.uuid4())})
    problem(response, 422, "validation-error")
    assert "4242424242424242" not in response.text


async def test_invoices_not_payable_online_or_void_take_no_portal_payment(
    acct: PortalAccount,
) -> None:
    offline = await acct.add_invoice("2026-01-01", "500.00", payable_online=False)
    ok(await acct.billing.post(f"/v1/invoices/{acct.invoices[0]['id']}/void",
                               headers=acct.staff))
    balance = await acct.balance()
    assert (balance["balance"], balance["open_total"]) == ("150.00", "650.00")
    confirmation = ok(await acct.pay("150.00", await acct.tokenize()), 201)
    assert offline["id"] not in {a["invoice_id"] for a in confirmation["allocations"]}
    assert confirmation["balance_after"] == "0.00"
    # a paid invoice cannot be voided
    problem(await acct.billing.post(f"/v1/invoices/{acct.invoices[1]['id']}/void",
                                    headers=acct.staff), 409, "illegal-transition")


async def test_a_gateway_outage_applies_nothing_and_the_retry_pays_once(
    acct: PortalAccount, gateway_http: httpx.AsyncClient
) -> None:
    token = await acct.tokenize()
    ok(await gateway_http.put("/sandbox/faults", json={"fail_next": 1}))
    problem(await acct.pay("20.00", token, key="k-outage"), 503, "gateway-unavailable")
    assert (await acct.balance())["balance"] == "225.00"
    charges_before = len(await gateway_charges(gateway_http))
    ok(await acct.pay("20.00", token, key="k-outage"), 201)
    assert len(await gateway_charges(gateway_http)) == charges_before + 1
    assert (await acct.balance())["balance"] == "205.00"
