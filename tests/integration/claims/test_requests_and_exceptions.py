"""Service requests (auto-replacement, dispatch, cancel), exceptions staff open, the payment
details on the service order, and the events every transition publishes."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from services.claims.service.context import ServiceContext
from shared.messaging.contracts import ClaimsStateChangedV1, Contract, ServiceJobDispatchedV1
from shared.messaging.envelope import Envelope
from shared.messaging.tables import outbox
from tests.integration.api import ok, problem

from .conftest import Actors, Flow, contract_body, new_flow

AUTO_MICROWAVE = {"kind": "microwave", "description": "Over-the-range microwave",
                  "model": "WMH31017HS", "serial": "SN-77", "install_type": "over_the_range",
                  "cook_type": "standard"}
HVAC = {"kind": "hvac", "description": "Central air"}
LIMITS = {"service_fee": "100.00", "per_claim_cap": "1000.00", "annual_aggregate": "10000.00",
          "replacement_credit": "250.00", "trade_deductibles": {"hvac": "150.00"}}


async def published(claims: ServiceContext, correlation_id: str) -> list[Contract]:
    async with claims.sessions() as session:
        rows = (await session.execute(
            select(outbox.c.body).where(outbox.c.correlation_id == correlation_id)
            .order_by(outbox.c.id)
        )).scalars().all()
    return [Envelope.model_validate_json(body).open() for body in rows]


async def request(flow: Flow, kind: str, **extra: Any) -> dict[str, Any]:
    body = {"contract_id": flow.contract["id"],
            "items": [{"covered_item_id": flow.item(kind), "problem": "Broken", **extra}]}
    return dict(ok(await flow.client.post("/v1/service-requests", json=body, headers=flow.me),
                   201))


async def test_an_eligible_microwave_is_auto_replaced_and_nothing_is_dispatched(
    client: httpx.AsyncClient, actors: Actors, claims: ServiceContext
) -> None:
    flow = await new_flow(client, actors, limits=LIMITS, covered_items=[AUTO_MICROWAVE, HVAC])
    order = (await request(flow, "microwave"))["orders"][0]
    assert order["jobs"][0]["kind"] == "auto_replacement"
    assert [(o["kind"], o["amount"]) for o in order["options"]] == [
        ("replacement", None), ("claim_credit", "250.00")]
    events = await published(claims, order["jobs"][0]["id"])
    assert not any(isinstance(e, ServiceJobDispatchedV1) for e in events)


async def test_an_auto_replaced_microwave_offers_a_claim_credit_on_a_plan_without_one(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    limits = {key: value for key, value in LIMITS.items() if key != "replacement_credit"}
    flow = await new_flow(client, actors, limits=limits, covered_items=[AUTO_MICROWAVE, HVAC])
    order = (await request(flow, "microwave"))["orders"][0]
    assert [(o["kind"], o["amount"]) for o in order["options"]] == [
        ("replacement", None), ("claim_credit", "250.00")]
    # The customer can take the credit: it becomes a claim under review.
    credit = order["options"][1]
    accepted = ok(await client.post(
        f"/v1/service-orders/{order['id']}/options/{credit['id']}/accept", headers=flow.me))
    assert accepted["claim"]["payable"] == "250.00"


async def test_sears_home_warranty_is_excluded_and_the_job_is_dispatched_for_its_fee(
    client: httpx.AsyncClient, actors: Actors, claims: ServiceContext
) -> None:
    flow = await new_flow(client, actors, brand="sears_home_warranty", limits=LIMITS,
                          covered_items=[AUTO_MICROWAVE, HVAC])
    microwave = (await request(flow, "microwave"))["orders"][0]
    assert microwave["jobs"][0]["kind"] == "dispatched" and microwave["options"] == []
    hvac_job = (await request(flow, "hvac"))["orders"][0]["jobs"][0]
    [dispatched] = [e for e in await published(claims, hvac_job["id"])
                    if isinstance(e, ServiceJobDispatchedV1)]
    assert dispatched.trade == "hvac" and str(dispatched.service_fee) == "150.00"
    assert dispatched.customer_id == flow.customer_id
    [microwave_fee] = [e for e in await published(claims, microwave["jobs"][0]["id"])
                       if isinstance(e, ServiceJobDispatchedV1)]
    assert str(microwave_fee.service_fee) == "100.00"  # the plan's default deductible


async def test_every_transition_is_published_with_the_timeline_row(
    flow: Flow, claims: ServiceContext
) -> None:
    job = (await flow.request_service())["jobs"][0]
    ok(await flow.client.post(f"/v1/service-jobs/{job['id']}/transitions",
                              json={"action": "accept"}, headers=flow.actors.agent))
    changes = [e for e in await published(claims, job["id"])
               if isinstance(e, ClaimsStateChangedV1)]
    assert [(c.entity, c.action, c.from_status, c.to_status, c.actor) for c in changes] == [
        ("job", "create", None, "new", f"user-{flow.customer_id}"),
        ("job", "accept", "new", "accepted", "agent-1"),
    ]


async def test_cancelling_a_request_while_no_technician_has_been_out(flow: Flow) -> None:
    order = await flow.request_service()
    url = f"/v1/service-requests/{order['request_id']}/cancel"
    stranger = flow.actors.customer("somebody-else")
    problem(await flow.client.post(url, json={"reason": "x"}, headers=stranger), 404,
            "not-found")
    cancelled = ok(await flow.client.post(url, json={"reason": "fixed it myself"},
                                          headers=flow.me))
    [order] = cancelled["orders"]
    assert order["status"] == "closed"
    assert order["jobs"][0]["status"] == "cancelled"
    assert order["jobs"][0]["cancel_reason"] == "service request cancelled: fixed it myself"
    # Closed: nothing more can be posted on it, and it cannot be cancelled twice.
    problem(await flow.client.post(f"/v1/service-orders/{order['id']}/options",
                                   json={"options": [{"kind": "repair"}]},
                                   headers=flow.actors.agent), 409, "order-closed")
    problem(await flow.client.post(url, json={"reason": "again"}, headers=flow.me), 409,
            "request-not-cancellable")


async def test_a_request_is_not_cancelled_once_the_technician_was_out(flow: Flow) -> None:
    order = await flow.request_service()
    job_url = f"/v1/service-jobs/{order['jobs'][0]['id']}/transitions"
    agent = flow.actors.agent
    problem(await flow.client.post(job_url, json={"action": "record_visit"}, headers=agent),
            409, "illegal-transition")  # a New job has no technician yet
    ok(await flow.client.post(job_url, json={"action": "accept"}, headers=agent))
    visited = ok(await flow.client.post(job_url, json={"action": "record_visit"}, headers=agent))
    assert visited["technician_out_at"] is not None
    url = f"/v1/service-requests/{order['request_id']}/cancel"
    problem(await flow.client.post(url, json={"reason": "x"}, headers=flow.me), 409,
            "technician-already-out")


async def test_a_request_with_a_completed_job_is_not_cancelled(flow: Flow) -> None:
    order = await flow.request_service()
    job_url = f"/v1/service-jobs/{order['jobs'][0]['id']}/transitions"
    for action in ("accept", "complete"):
        ok(await flow.client.post(job_url, json={"action": action}, headers=flow.actors.agent))
    url = f"/v1/service-requests/{order['request_id']}/cancel"
    problem(await flow.client.post(url, json={"reason": "x"}, headers=flow.me), 409,
            "request-not-cancellable")


async def test_staff_open_memo_and_unauthorized_reviews_with_append_only_notes(
    flow: Flow,
) -> None:
    job_id = (await flow.request_service())["jobs"][0]["id"]
    url = f"/v1/service-jobs/{job_id}/exceptions"
    support = flow.actors.support
    memo = ok(await flow.client.post(url, headers=support, json={
        "type": "ss_credit_debit_memo_request", "comment_code": "DBT",
        "note": "Pro billed $40.00 twice"}), 201)
    assert (memo["status"], memo["comment_code"]) == ("open", "DBT")
    unauth = ok(await flow.client.post(url, headers=support, json={
        "type": "ss_unauthorized_claim_review", "comment_code": "UNAUTH",
        "note": "Work done without a request"}), 201)
    assert unauth["type"] == "ss_unauthorized_claim_review"

    problem(await flow.client.post(url, headers=support, json={
        "type": "ss_credit_debit_memo_request", "comment_code": "UNAUTH", "note": "x"}),
        422, "invalid-exception")
    problem(await flow.client.post(url, headers=support, json={
        "type": "ss_claim_credit_review", "comment_code": "CCA", "note": "x"}),
        422, "invalid-exception")
    problem(await flow.client.post(url, headers=flow.me, json={
        "type": "ss_credit_debit_memo_request", "comment_code": "CRDT", "note": "x"}),
        403, "forbidden")

    notes_url = f"/v1/exceptions/{memo['id']}/notes"
    ok(await flow.client.post(notes_url, json={"text": "Pro agreed to refund"},
                              headers=support), 201)
    detail = ok(await flow.client.get(f"/v1/exceptions/{memo['id']}", headers=support))
    assert [n["text"] for n in detail["notes"]] == ["Pro billed $40.00 twice",
                                                    "Pro agreed to refund"]
    done = ok(await flow.client.post(f"/v1/exceptions/{memo['id']}/transitions",
                                     json={"action": "complete"}, headers=support))
    assert done["status"] == "complete"
    assert (await flow.client.put(notes_url, json={"text": "edit"},
                                  headers=support)).status_code == 405


async def test_the_service_order_shows_the_disbursement_and_the_terms_accepted(
    flow: Flow,
) -> None:
    accepted = await flow.accept_credit()
    claim_id, order_id = accepted["claim"]["id"], accepted["id"]
    address = {"line1": "9 Oak Ave", "line2": "Apt 2", "city": "Dallas", "state": "TX",
               "zip": "75201"}
    ok(await flow.client.post(f"/v1/claims/{claim_id}/payment-option", headers=flow.me, json={
        "rail": "check", "accept_terms": True, "mailing_address": address,
        "terms_version": "2026-01"}))
    order = ok(await flow.client.get(f"/v1/service-orders/{order_id}", headers=flow.me))
    payment = order["claim"]["payment"]
    assert order["claim"]["claim_id"] == claim_id and order["claim"]["payable"] == "250.00"
    assert payment["rail"] == "check" and payment["mailing_address"] == address
    assert payment["terms_version"] == "2026-01" and payment["terms_accepted_at"]

    # A change is audited with what it replaced.
    ok(await flow.choose_concourse(claim_id))
    timeline = ok(await flow.client.get(f"/v1/claims/{claim_id}/timeline", headers=flow.me))
    changes = [e["detail"] for e in timeline if e["action"] == "select_payment"]
    assert [c["rail"] for c in changes] == ["check", "concourse"]
    assert changes[1]["replaced"] == "check to customer"
    assert flow.contract["email"] not in str(changes)  # PII is masked in the trail


async def test_a_check_needs_a_full_mailing_address(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    body = contract_body("x")
    flow = await new_flow(client, actors, mailing_address=None, email=body["email"])
    claim_id = (await flow.accept_credit())["claim"]["id"]
    url = f"/v1/claims/{claim_id}/payment-option"
    problem(await flow.client.post(url, headers=flow.me, json={
        "rail": "check", "accept_terms": True}), 422, "mailing-address-required")
    problem(await flow.client.post(url, headers=flow.me, json={
        "rail": "check", "accept_terms": True,
        "mailing_address": {"line1": "9 Oak Ave", "city": "Dallas", "state": "TX"}}),
        422, "validation-error")
