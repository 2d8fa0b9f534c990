"""Seed 002 through the real processes: portal payments applied oldest invoice first, refusals
that change nothing, simultaneous payments, and a dispatched job's fee billed from claims (and
voided when the request is cancelled)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from shared.messaging.contracts import ServiceJobDispatchedV1
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.settings import PlatformSettings
from tests.e2e.stack import LOG_DIR, Stack
from tests.signing import signer
from warranty_client.actors import Actors
from warranty_client.http import Urls, expect
from warranty_client.portal import APPROVED_CARD, DECLINED_CARD, PortalAccount, portal_payment

DEADLINE_S = 20


@pytest.fixture
async def acct(stack: Stack, urls: Urls) -> AsyncIterator[PortalAccount]:
    async with (httpx.AsyncClient(base_url=stack.url("billing"), timeout=15) as billing,
                httpx.AsyncClient(base_url=urls.sandbox + "/gateway/v1", timeout=15) as gw):
        yield await PortalAccount(billing, gw, PlatformSettings()).open()


async def snapshot(acct: PortalAccount) -> tuple[Any, ...]:
    payments = expect(await acct.billing.get(f"{acct.path}/payments",
                                             headers=acct.portal(acct.company)), 200)
    return (await acct.balance(), await acct.list_invoices(), payments)


async def test_company_contact_pays_part_and_sees_it_oldest_first(
    acct: PortalAccount,
) -> None:
    confirmation = expect(await acct.pay("130.00", await acct.tokenize()), 201)
    assert [(a["invoice_date"], a["amount_applied"], a["invoice_remaining"])
            for a in confirmation["allocations"]] == [("2026-09-01", "100.00", "0.00"),
                                                      ("2026-09-20", "30.00", "20.00")]
    assert confirmation["balance_after"] == "95.00"
    assert (await acct.balance())["balance"] == "95.00"
    assert {i["invoice_date"]: i["status"] for i in await acct.list_invoices()} == {
        "2026-09-01": "paid", "2026-09-20": "partially_paid", "2026-10-15": "open"}


async def test_site_contact_is_refused(acct: PortalAccount) -> None:
    before = await snapshot(acct)
    refused = await acct.pay("10.00", await acct.tokenize(), contact=acct.site)
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:warranty:problem:portal-access-denied"
    assert await snapshot(acct) == before


async def test_declined_card_leaves_everything_unchanged(acct: PortalAccount) -> None:
    before = await snapshot(acct)
    declined = await acct.pay("60.00", await acct.tokenize(DECLINED_CARD))
    assert declined.status_code == 402
    assert declined.json()["decline_reason"] == "card_declined"
    assert await snapshot(acct) == before


async def test_simultaneous_payments_never_over_apply(acct: PortalAccount) -> None:
    tokens = [await acct.tokenize() for _ in range(4)]
    responses = await asyncio.gather(*(acct.pay("100.00", t) for t in tokens))
    assert sorted(r.status_code for r in responses) == [201, 201, 422, 422]
    invoices = await acct.list_invoices()
    assert sum(Decimal(i["open_balance"]) for i in invoices) == Decimal("25.00")
    assert all(Decimal(0) <= Decimal(i["open_balance"]) <= Decimal(i["amount"])
               for i in invoices)


async def test_the_billing_demo_runs(stack: Stack, urls: Urls) -> None:
    confirmation = await portal_payment(urls, say=lambda line: None,
                                        billing_base=stack.url("billing"))
    assert confirmation["amount"] == "130.00"


async def _wait_for_fee_invoice(acct_http: httpx.AsyncClient, headers: dict[str, str],
                                customer_id: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = await acct_http.get("/v1/accounts", params={"customer_id": customer_id},
                                    headers=headers)
        if found.status_code == 200:
            invoices = expect(await acct_http.get(
                f"/v1/accounts/{found.json()['id']}/invoices", headers=headers), 200)
            for invoice in invoices:
                if invoice["source_ref"] == f"job:{job_id}":
                    return dict(invoice)
        await asyncio.sleep(0.2)
    raise AssertionError(f"no invoice for job {job_id} of {customer_id}")


async def test_a_dispatched_jobs_fee_published_to_the_broker_becomes_an_invoice(
    acct: PortalAccount, stack: Stack, broker: AbstractRobustConnection,
) -> None:
    job_id = str(uuid.uuid4())
    event = ServiceJobDispatchedV1(
        job_id=job_id, service_order_id="so-e2e", service_request_id="sr-e2e",
        contract_id="ct-e2e", customer_id=acct.customer_id, trade="hvac", service_fee="85.00",
        dispatched_at=datetime.now(UTC),
    )
    publisher = await Publisher.open(broker, stack.env["MQ_NAMESPACE"], signer("claims"))
    await publisher.publish(Envelope.wrap(event, producer="claims", correlation_id=job_id))
    await publisher.close()
    invoice = await _wait_for_fee_invoice(acct.billing, acct.staff, acct.customer_id, job_id)
    assert (invoice["amount"], invoice["status"]) == ("85.00", "open")
    assert (await acct.balance())["balance"] == "310.00"  # 225.00 + the fee
    # the company contact can pay it from the portal
    expect(await acct.pay("310.00", await acct.tokenize()), 201)


async def _open_fridge_request(urls: Urls, http: httpx.AsyncClient, actors: Actors
                               ) -> dict[str, Any]:
    contract = expect(await http.post(f"{urls.claims}/v1/contracts", headers=actors.agent, json={
        "customer_id": actors.customer_id, "brand": "cinch", "holder_name": "Jane Doe",
        "email": f"jane+{actors.customer_id}@mail.cinch-demo.net",
        "limits": {"service_fee": "100.00", "per_claim_cap": "1000.00",
                   "annual_aggregate": "10000.00"},
        "covered_items": [{"kind": "refrigerator", "description": "French-door fridge"}],
    }), 201)
    request = expect(await http.post(f"{urls.claims}/v1/service-requests",
                                     headers=actors.customer, json={
        "contract_id": contract["id"], "channel": "portal",
        "items": [{"covered_item_id": contract["covered_items"][0]["id"],
                   "problem": "Not cooling"}]}), 201)
    return dict(request)


async def _billed_fridge_request(urls: Urls, http: httpx.AsyncClient, acct: PortalAccount,
                                 ) -> tuple[Actors, dict[str, Any], dict[str, Any]]:
    """A new customer's fridge request, and the fee invoice billing raised for its job."""
    actors = Actors(PlatformSettings(), f"cust-{uuid.uuid4().hex[:8]}")
    request = await _open_fridge_request(urls, http, actors)
    job_id = request["orders"][0]["jobs"][0]["id"]
    invoice = await _wait_for_fee_invoice(acct.billing, acct.staff, actors.customer_id, job_id)
    return actors, request, invoice


async def test_a_job_dispatched_in_claims_is_billed(
    stack: Stack, urls: Urls, http: httpx.AsyncClient, acct: PortalAccount,
) -> None:
    _, _, invoice = await _billed_fridge_request(urls, http, acct)
    assert (invoice["amount"], invoice["status"], invoice["payable_online"]) == (
        "100.00", "open", True)


async def _wait_for_void(acct_http: httpx.AsyncClient, headers: dict[str, str],
                         invoice: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        invoices = expect(await acct_http.get(
            f"/v1/accounts/{invoice['account_id']}/invoices", headers=headers), 200)
        [now] = [i for i in invoices if i["id"] == invoice["id"]]
        if now["status"] == "void":
            return dict(now)
        await asyncio.sleep(0.2)
    raise AssertionError(f"invoice {invoice['number']} was not voided")


async def test_cancelling_the_request_voids_its_fee_invoice(
    stack: Stack, urls: Urls, http: httpx.AsyncClient, acct: PortalAccount,
) -> None:
    actors, request, invoice = await _billed_fridge_request(urls, http, acct)
    balance_url = f"/v1/accounts/{invoice['account_id']}/balance"
    assert expect(await acct.billing.get(balance_url, headers=acct.staff), 200)["balance"] == \
        "100.00"

    expect(await http.post(f"{urls.claims}/v1/service-requests/{request['id']}/cancel",
                           headers=actors.customer, json={"reason": "fixed it myself"}), 200)

    voided = await _wait_for_void(acct.billing, acct.staff, invoice)
    assert voided["void_reason"] == (
        "service job cancelled: service request cancelled: fixed it myself")
    assert voided["void_refused_reason"] is None
    assert expect(await acct.billing.get(balance_url, headers=acct.staff), 200)["balance"] == \
        "0.00"


async def test_no_card_number_reaches_any_log(acct: PortalAccount) -> None:
    expect(await acct.pay("10.00", await acct.tokenize()), 201)
    assert (await acct.pay("10.00", await acct.tokenize(DECLINED_CARD))).status_code == 402
    logs = {path.name: path.read_text(errors="replace") for path in LOG_DIR.glob("*.log")}
    assert "billing-api.log" in logs and "sandbox.log" in logs
    for name, text in logs.items():
        for number in (APPROVED_CARD, DECLINED_CARD):
            assert number not in text, f"{name} logs a card number"
