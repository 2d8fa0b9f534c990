"""The BYOP payment request opens a claim that will be paid: with an Idempotency-Key, a client
that retries (its first answer lost) gets the same claim back instead of a 409, and never a
second claim; the same key on another job is refused."""

from __future__ import annotations

from tests.integration.api import ok, problem

from .conftest import Flow, new_flow
from .test_byop_flow import completed_byop_job


async def test_a_retried_payment_request_returns_the_first_claim(flow: Flow) -> None:
    client, agent = flow.client, flow.actors.byop_agent
    base = await completed_byop_job(flow)
    keyed = {**agent, "Idempotency-Key": "byop-pay-1"}
    first = ok(await client.post(f"{base}/payment-request", headers=keyed), 201)
    again = ok(await client.post(f"{base}/payment-request", headers=keyed), 201)
    assert again == first
    # Without the key a repeat is what it always was: the job has moved on.
    problem(await client.post(f"{base}/payment-request", headers=agent), 409,
            "illegal-transition")
    job = ok(await client.get(base, headers=agent))
    assert job["claim_id"] == first["id"]


async def test_the_same_key_on_another_job_is_refused(flow: Flow) -> None:
    client, agent = flow.client, flow.actors.byop_agent
    keyed = {**agent, "Idempotency-Key": "byop-pay-2"}
    ok(await client.post(f"{await completed_byop_job(flow)}/payment-request", headers=keyed), 201)
    other = await completed_byop_job(await new_flow(flow.client, flow.actors))
    problem(await client.post(f"{other}/payment-request", headers=keyed), 422,
            "idempotency-key-reused")
