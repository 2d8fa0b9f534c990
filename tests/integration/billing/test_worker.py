"""The billing worker against the real broker: a dispatched job's service fee published by
claims becomes one invoice (however often it is delivered), and the payment events leave
through the outbox relay. The worker runs in a namespace of its own, removed afterwards."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import aio_pika
import httpx
import pytest
from sqlalchemy import select

from services.billing.bootstrap import run_billing_worker
from services.billing.service.context import ServiceContext
from services.billing.settings import BillingSettings
from shared.messaging.contracts import ServiceJobCancelledV1, ServiceJobDispatchedV1
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.messaging.tables import outbox
from tests.integration.api import ok
from tests.integration.workers import worker_running
from tests.signing import signer
from warranty_client.portal import PortalAccount

DEADLINE_S = 10


@pytest.fixture
async def worker(billing_settings: BillingSettings) -> AsyncIterator[BillingSettings]:
    async with worker_running(billing_settings, "billing-worker", run_billing_worker) as settings:
        yield settings


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def dispatched(customer_id: str, job_id: str, fee: str = "100.00") -> ServiceJobDispatchedV1:
    return ServiceJobDispatchedV1(
        job_id=job_id, service_order_id="so-1", service_request_id="sr-1",
        contract_id="ct-1", customer_id=customer_id, trade="microwave", service_fee=fee,
        dispatched_at=datetime(2026, 11, 2, 15, 30, tzinfo=UTC),
    )


async def test_a_dispatched_jobs_fee_becomes_one_invoice(
    worker: BillingSettings, client: httpx.AsyncClient, acct: PortalAccount
) -> None:
    job_id = str(uuid.uuid4())
    event = dispatched(acct.customer_id, job_id)
    first = Envelope.wrap(event, producer="claims", correlation_id=job_id)
    resent = Envelope.wrap(event, producer="claims", correlation_id=job_id)  # new message id
    connection = await aio_pika.connect(worker.amqp_url)
    async with connection:
        publisher = await Publisher.open(connection, worker.mq_namespace, signer("claims"))
        for envelope in (first, first, resent):
            await publisher.publish(envelope)
        await publisher.close()

    async def fee_invoices() -> list[dict[str, str]]:
        rows = ok(await client.get(f"{acct.path}/invoices", headers=acct.staff))
        return [i for i in rows if i["source_ref"] == f"job:{job_id}"]

    async def billed() -> bool:
        return bool(await fee_invoices())

    await eventually(billed)
    await asyncio.sleep(0.5)  # the duplicates have had their chance
    [invoice] = await fee_invoices()
    assert (invoice["amount"], invoice["status"], invoice["invoice_date"],
            invoice["due_date"]) == ("100.00", "open", "2026-11-02", "2026-12-02")
    assert (await acct.balance())["balance"] == "325.00"


async def test_an_unknown_customer_gets_an_account(
    worker: BillingSettings, client: httpx.AsyncClient, acct: PortalAccount
) -> None:
    customer_id = f"cust-new-{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect(worker.amqp_url)
    async with connection:
        publisher = await Publisher.open(connection, worker.mq_namespace, signer("claims"))
        await publisher.publish(Envelope.wrap(dispatched(customer_id, str(uuid.uuid4()), "65.00"),
                                              producer="claims"))
        await publisher.close()

    async def found() -> bool:
        response = await client.get("/v1/accounts", params={"customer_id": customer_id},
                                    headers=acct.staff)
        return response.status_code == 200

    await eventually(found)
    account = ok(await client.get("/v1/accounts", params={"customer_id": customer_id},
                                  headers=acct.staff))
    assert account["created_by"] == "claims-events"
    [invoice] = ok(await client.get(f"/v1/accounts/{account['id']}/invoices",
                                    headers=acct.staff))
    assert invoice["amount"] == "65.00"


async def test_payment_events_are_published_by_the_relay(
    worker: BillingSettings, acct: PortalAccount, billing: ServiceContext
) -> None:
    ok(await acct.pay("100.00", await acct.tokenize()), 201)

    async def published() -> bool:
        async with billing.sessions() as session:
            rows = (await session.execute(
                select(outbox.c.type, outbox.c.published_at)
                .where(outbox.c.correlation_id == acct.account["id"])
            )).all()
        return len(rows) == 2 and all(at is not None for _, at in rows)

    await eventually(published)


async def test_a_cancelled_jobs_fee_invoice_is_voided_by_the_worker(
    worker: BillingSettings, client: httpx.AsyncClient, acct: PortalAccount
) -> None:
    job_id = str(uuid.uuid4())
    cancelled = ServiceJobCancelledV1(
        job_id=job_id, service_order_id="so-1", service_request_id="sr-1", contract_id="ct-1",
        customer_id=acct.customer_id, reason="service request cancelled: no longer needed",
        cancelled_at=datetime(2026, 11, 2, 17, 0, tzinfo=UTC),
    )
    connection = await aio_pika.connect(worker.amqp_url)
    async with connection:
        publisher = await Publisher.open(connection, worker.mq_namespace, signer("claims"))
        await publisher.publish(Envelope.wrap(dispatched(acct.customer_id, job_id),
                                              producer="claims", correlation_id=job_id))
        await publisher.close()

        async def fee_statuses() -> list[str]:
            rows = ok(await client.get(f"{acct.path}/invoices", headers=acct.staff))
            return [i["status"] for i in rows if i["source_ref"] == f"job:{job_id}"]

        async def billed() -> bool:
            return await fee_statuses() == ["open"]

        await eventually(billed)
        publisher = await Publisher.open(connection, worker.mq_namespace, signer("claims"))
        await publisher.publish(Envelope.wrap(cancelled, producer="claims",
                                              correlation_id=job_id))
        await publisher.close()

    async def voided() -> bool:
        return await fee_statuses() == ["void"]

    await eventually(voided)
    assert (await acct.balance())["balance"] == "225.00"
