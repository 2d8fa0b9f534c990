"""A service job claims cancelled before its visit: its fee invoice is voided if nothing is paid
on it (the balance drops), kept with the reason if something is (until the refund voids it),
once however often the event comes, and never raised if the cancellation comes first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from services.billing.service.context import ServiceContext
from services.billing.service.fee_cancellations import void_cancelled_job_fee
from services.billing.service.invoices import bill_dispatched_job
from services.billing.settings import BillingSettings
from shared.messaging.contracts import ServiceJobCancelledV1
from shared.messaging.envelope import Envelope
from tests.integration.api import ok
from warranty_client.portal import PortalAccount

from .test_worker import dispatched


def cancelled(customer_id: str, job_id: str) -> ServiceJobCancelledV1:
    return ServiceJobCancelledV1(
        job_id=job_id, service_order_id="so-1", service_request_id="sr-1", contract_id="ct-1",
        customer_id=customer_id, reason="service request cancelled: the customer fixed it",
        cancelled_at=datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
    )


async def dispatch(billing: ServiceContext, customer_id: str, job_id: str,
                   fee: str = "100.00") -> bool:
    event = dispatched(customer_id, job_id, fee)
    return await bill_dispatched_job(
        billing, Envelope.wrap(event, producer="claims", correlation_id=job_id), event)


async def cancel(billing: ServiceContext, customer_id: str, job_id: str,
                 envelope: Envelope | None = None) -> bool:
    event = cancelled(customer_id, job_id)
    envelope = envelope or Envelope.wrap(event, producer="claims", correlation_id=job_id)
    return await void_cancelled_job_fee(billing, envelope, event)


async def fee_invoices(acct: PortalAccount, job_id: str) -> list[dict[str, Any]]:
    rows = ok(await acct.billing.get(f"{acct.path}/invoices", headers=acct.staff))
    return [i for i in rows if i["source_ref"] == f"job:{job_id}"]


async def test_an_unpaid_fee_invoice_is_voided_and_leaves_the_balance(
    billing: ServiceContext, acct: PortalAccount
) -> None:
    job_id = str(uuid.uuid4())
    assert await dispatch(billing, acct.customer_id, job_id)
    assert (await acct.balance())["balance"] == "325.00"

    assert await cancel(billing, acct.customer_id, job_id)

    [invoice] = await fee_invoices(acct, job_id)
    assert (invoice["status"], invoice["void_reason"], invoice["void_refused_reason"]) == (
        "void", "service job cancelled: service request cancelled: the customer fixed it", None)
    assert invoice["voided_at"] is not None
    assert (await acct.balance())["balance"] == "225.00"
    # Oldest first skips it: the whole balance pays the three other invoices exactly.
    paid = ok(await acct.pay("225.00", await acct.tokenize()), 201)
    assert job_id not in str(paid)
    [still] = await fee_invoices(acct, job_id)
    assert (still["status"], still["open_balance"]) == ("void", "100.00")


async def test_a_paid_fee_invoice_is_kept_says_why_and_the_refund_voids_it(
    billing: ServiceContext, client: httpx.AsyncClient, gateway_http: httpx.AsyncClient,
    billing_settings: BillingSettings,
) -> None:
    acct = await PortalAccount(client, gateway_http, billing_settings).open(invoices=())
    job_id = str(uuid.uuid4())
    await dispatch(billing, acct.customer_id, job_id, "75.00")
    payment = ok(await acct.pay("40.00", await acct.tokenize()), 201)

    assert await cancel(billing, acct.customer_id, job_id)

    [kept] = await fee_invoices(acct, job_id)
    assert (kept["status"], kept["open_balance"], kept["voided_at"]) == (
        "partially_paid", "35.00", None)
    assert kept["void_refused_reason"].startswith(
        f"paid 40.00 of 75.00 (payment {payment['id']}); its job was cancelled")
    assert "POST /v1/payments/{payment_id}/refund" in kept["void_refused_reason"]

    ok(await acct.billing.post(f"/v1/payments/{payment['id']}/refund",
                               json={"reason": "its service job was cancelled"},
                               headers=acct.payables))
    [voided] = await fee_invoices(acct, job_id)
    assert (voided["status"], voided["open_balance"], voided["void_refused_reason"]) == (
        "void", "75.00", None)
    assert voided["void_reason"].startswith("service job cancelled: ")
    assert (await acct.balance())["balance"] == "0.00"


async def test_a_repeated_cancellation_changes_nothing(
    billing: ServiceContext, acct: PortalAccount
) -> None:
    job_id = str(uuid.uuid4())
    await dispatch(billing, acct.customer_id, job_id)
    event = cancelled(acct.customer_id, job_id)
    first = Envelope.wrap(event, producer="claims", correlation_id=job_id)
    assert await cancel(billing, acct.customer_id, job_id, first)
    [voided] = await fee_invoices(acct, job_id)

    assert not await cancel(billing, acct.customer_id, job_id, first)  # the inbox drops it
    assert await cancel(billing, acct.customer_id, job_id)  # re-sent with a new message id

    assert await fee_invoices(acct, job_id) == [voided]
    assert (await acct.balance())["balance"] == "225.00"


async def test_a_cancellation_delivered_before_the_dispatch_raises_no_invoice(
    billing: ServiceContext, acct: PortalAccount
) -> None:
    job_id = str(uuid.uuid4())
    assert await cancel(billing, acct.customer_id, job_id)

    assert not await dispatch(billing, acct.customer_id, job_id)

    assert await fee_invoices(acct, job_id) == []
    assert (await acct.balance())["balance"] == "225.00"
    # Another job of the same customer is billed as ever.
    other = str(uuid.uuid4())
    assert await dispatch(billing, acct.customer_id, other)
    assert [i["status"] for i in await fee_invoices(acct, other)] == ["open"]
