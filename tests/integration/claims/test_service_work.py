"""Jobs, orders, notes and exceptions: transitions, closing, expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from services.claims.adapters.orm import ServiceJobRow
from services.claims.adapters.orm.base import utcnow
from services.claims.service.context import ServiceContext
from services.claims.service.work import expire_stale_jobs
from tests.integration.api import ok, problem

from .conftest import Flow


async def test_job_transitions_follow_the_table(flow: Flow) -> None:
    job_id = (await flow.request_service())["jobs"][0]["id"]
    url = f"/v1/service-jobs/{job_id}/transitions"
    agent = flow.actors.agent
    problem(await flow.client.post(url, json={"action": "complete"}, headers=agent), 409,
            "illegal-transition")
    problem(await flow.client.post(url, json={"action": "reject"}, headers=agent), 422,
            "reason-required")
    assert ok(await flow.client.post(url, json={"action": "accept"}, headers=agent))["status"] \
        == "accepted"
    done = ok(await flow.client.post(url, json={"action": "complete"}, headers=agent))
    assert done["status"] == "completed"
    problem(await flow.client.post(url, json={"action": "cancel", "reason": "x"}, headers=agent),
            409, "illegal-transition")  # completed locks the job
    problem(await flow.client.post(url, json={"action": "accept"}, headers=flow.me), 403,
            "forbidden")


async def test_closing_an_order_cancels_its_open_jobs(flow: Flow) -> None:
    order = await flow.request_service()
    closed = ok(await flow.client.post(f"/v1/service-orders/{order['id']}/close",
                                       json={"reason": "customer fixed it"},
                                       headers=flow.actors.agent))
    assert closed["status"] == "closed"
    assert closed["jobs"][0]["status"] == "cancelled"
    assert closed["jobs"][0]["cancel_reason"] == "service order closed: customer fixed it"
    response = await flow.client.post(f"/v1/service-orders/{order['id']}/options",
                                      json={"options": [{"kind": "repair"}]},
                                      headers=flow.actors.agent)
    problem(response, 409, "order-closed")


async def test_an_order_with_a_claim_in_payment_stays_open(flow: Flow) -> None:
    accepted = await flow.accept_credit()
    response = await flow.client.post(f"/v1/service-orders/{accepted['id']}/close",
                                      json={"reason": "done"}, headers=flow.actors.agent)
    problem(response, 409, "order-has-open-claim")


async def test_options_are_posted_once_and_accepted_once(flow: Flow) -> None:
    accepted = await flow.accept_credit()
    order_id = accepted["id"]
    again = await flow.client.post(f"/v1/service-orders/{order_id}/options",
                                   json={"options": [{"kind": "repair"}]},
                                   headers=flow.actors.agent)
    problem(again, 409, "options-already-posted")
    other = next(o for o in accepted["options"] if o["kind"] == "replacement")
    response = await flow.client.post(
        f"/v1/service-orders/{order_id}/options/{other['id']}/accept", headers=flow.me)
    problem(response, 409, "illegal-transition")
    response = await flow.client.post(
        f"/v1/service-orders/{order_id}/options/{uuid.uuid4()}/accept", headers=flow.me)
    problem(response, 404, "not-found")


async def test_staff_work_the_review_exception(flow: Flow) -> None:
    claim = (await flow.accept_credit())["claim"]
    url = f"/v1/exceptions/{claim['review']['id']}/transitions"
    support = flow.actors.support
    started = ok(await flow.client.post(url, json={"action": "start", "note": "on it"},
                                        headers=support))
    assert started["status"] == "in_progress"
    ok(await flow.client.post(url, json={"action": "pend"}, headers=support))
    # A claim credit review completes with its claim, never by hand.
    problem(await flow.client.post(url, json={"action": "complete"}, headers=support), 409,
            "illegal-transition")
    # Still open while pending: the customer can select the payment option.
    ok(await flow.choose_concourse(claim["id"]))
    job = ok(await flow.client.get(f"/v1/service-jobs/{claim['job_id']}", headers=support))
    assert [n["text"] for n in job["notes"]][-1] == "on it"


async def test_notes_are_appended(flow: Flow) -> None:
    job_id = (await flow.request_service())["jobs"][0]["id"]
    for text in ("first", "second"):
        ok(await flow.client.post(f"/v1/service-jobs/{job_id}/notes", json={"text": text},
                                  headers=flow.actors.agent), 201)
    job = ok(await flow.client.get(f"/v1/service-jobs/{job_id}", headers=flow.me))
    assert [n["text"] for n in job["notes"]] == ["first", "second"]


async def test_jobs_not_accepted_within_24_hours_expire(flow: Flow, claims: ServiceContext) -> None:
    stale = (await flow.request_service())["jobs"][0]["id"]
    fresh = (await flow.request_service())["jobs"][0]["id"]
    async with claims.sessions() as session, session.begin():
        await session.execute(update(ServiceJobRow).where(ServiceJobRow.id == uuid.UUID(stale))
                              .values(created_at=utcnow() - timedelta(hours=25)))
    assert await expire_stale_jobs(claims, utcnow()) >= 1
    stale_job = ok(await flow.client.get(f"/v1/service-jobs/{stale}", headers=flow.me))
    fresh_job = ok(await flow.client.get(f"/v1/service-jobs/{fresh}", headers=flow.me))
    assert (stale_job["status"], fresh_job["status"]) == ("expired", "new")
