"""A dispatched job cancelled before any technician went out emits
``claims.service_job_cancelled`` in the cancellation's transaction (billing voids its fee
invoice) — whichever way it is cancelled, and only if its dispatch billed a fee."""

from __future__ import annotations

from typing import Any

import httpx

from services.claims.service.context import ServiceContext
from shared.messaging.contracts import ServiceJobCancelledV1
from tests.integration.api import ok

from .conftest import Actors, Flow, new_flow
from .test_requests_and_exceptions import AUTO_MICROWAVE, HVAC, LIMITS, published

FREE_TRADE = {"kind": "plumbing", "description": "Main line"}
NO_PLUMBING_FEE = {**LIMITS, "trade_deductibles": {"hvac": "150.00", "plumbing": "0.00"}}


async def cancellations(claims: ServiceContext, job_id: str) -> list[ServiceJobCancelledV1]:
    return [e for e in await published(claims, job_id) if isinstance(e, ServiceJobCancelledV1)]


async def open_request(flow: Flow, *kinds: str) -> dict[str, Any]:
    body = {"contract_id": flow.contract["id"],
            "items": [{"covered_item_id": flow.item(kind), "problem": "Broken"}
                      for kind in kinds]}
    return dict(ok(await flow.client.post("/v1/service-requests", json=body, headers=flow.me),
                   201))


def job_of(request: dict[str, Any], position: int) -> dict[str, Any]:
    return dict(request["orders"][position]["jobs"][0])


async def test_cancelling_a_request_emits_the_cancellation_of_each_job_that_owed_a_fee(
    client: httpx.AsyncClient, actors: Actors, claims: ServiceContext
) -> None:
    flow = await new_flow(client, actors, limits=NO_PLUMBING_FEE,
                          covered_items=[AUTO_MICROWAVE, HVAC, FREE_TRADE])
    opened = await open_request(flow, "hvac", "microwave", "plumbing")
    hvac, microwave, plumbing = (job_of(opened, i) for i in range(3))
    assert (microwave["kind"], plumbing["kind"]) == ("auto_replacement", "dispatched")
    assert await cancellations(claims, hvac["id"]) == []

    ok(await client.post(f"/v1/service-requests/{opened['id']}/cancel",
                         json={"reason": "fixed it myself"}, headers=flow.me))

    [event] = await cancellations(claims, hvac["id"])
    assert (event.job_id, event.service_order_id, event.service_request_id, event.contract_id,
            event.customer_id, event.reason) == (
        hvac["id"], opened["orders"][0]["id"], opened["id"], flow.contract["id"],
        flow.customer_id, "service request cancelled: fixed it myself")
    # No technician, no fee: the auto-replacement and the zero-fee trade were never billed.
    assert await cancellations(claims, microwave["id"]) == []
    assert await cancellations(claims, plumbing["id"]) == []


async def test_closing_an_order_or_cancelling_the_job_releases_the_fee_too(
    flow: Flow, claims: ServiceContext
) -> None:
    order = await flow.request_service("microwave")  # dispatched: the plan's 100.00 fee
    ok(await flow.client.post(f"/v1/service-orders/{order['id']}/close",
                              json={"reason": "duplicate request"}, headers=flow.actors.agent))
    [closed] = await cancellations(claims, order["jobs"][0]["id"])
    assert closed.reason == "service order closed: duplicate request"

    job = (await flow.request_service("microwave"))["jobs"][0]
    ok(await flow.client.post(f"/v1/service-jobs/{job['id']}/transitions",
                              json={"action": "cancel", "reason": "entered twice"},
                              headers=flow.actors.agent))
    [cancelled] = await cancellations(claims, job["id"])
    assert cancelled.reason == "entered twice"


async def test_a_job_cancelled_after_the_technician_was_out_keeps_its_fee(
    flow: Flow, claims: ServiceContext
) -> None:
    order = await flow.request_service("microwave")
    job_url = f"/v1/service-jobs/{order['jobs'][0]['id']}/transitions"
    for action in ("accept", "record_visit"):
        ok(await flow.client.post(job_url, json={"action": action}, headers=flow.actors.agent))

    closed = ok(await flow.client.post(f"/v1/service-orders/{order['id']}/close",
                                       json={"reason": "not repairable"},
                                       headers=flow.actors.agent))

    assert closed["jobs"][0]["status"] == "cancelled"
    assert await cancellations(claims, order["jobs"][0]["id"]) == []
