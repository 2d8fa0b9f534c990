"""Approval rules through the API: creator, limit and override, cap, aggregate, order of steps."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from services.claims.adapters.orm import AuditEventRow
from services.claims.service.context import ServiceContext
from shared.auth import Role
from tests.integration.api import ok, problem

from .conftest import Actors, Flow, new_flow


async def test_the_claims_creator_cannot_approve_it(flow: Flow) -> None:
    dual = flow.actors.headers(Role.AGENT, Role.SUPPORT_SERVICES, subject="dual-1")
    order = await flow.offer_credit((await flow.request_service())["id"])
    credit = next(o for o in order["options"] if o["kind"] == "claim_credit")
    accepted = ok(await flow.client.post(
        f"/v1/service-orders/{order['id']}/options/{credit['id']}/accept", headers=dual))
    claim = accepted["claim"]
    assert claim["created_by"] == "dual-1"
    ok(await flow.choose_concourse(claim["id"]))
    problem(await flow.approve(claim["id"], headers=dual), 403, "self-approval")
    ok(await flow.approve(claim["id"]))


async def test_above_limit_and_cap_only_a_supervisor_overrides(
    flow: Flow, claims: ServiceContext
) -> None:
    claim_id = await flow.ready_claim(amount="1200.00")
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.actors.support))
    assert claim["review"]["comment_code"] == "CAP"
    problem(await flow.approve(claim_id), 403, "approval-limit-exceeded")
    problem(await flow.approve(claim_id, override=True), 403, "override-not-permitted")
    approved = ok(await flow.approve(claim_id, headers=flow.actors.supervisor, override=True))
    assert approved["approved_by"] == "sup-1"
    async with claims.sessions() as session:
        event = (await session.execute(select(AuditEventRow).where(
            AuditEventRow.entity_id == claim_id, AuditEventRow.action == "approve"))).scalar_one()
    assert event.detail["override"] is True and event.actor == "sup-1"


async def test_the_annual_aggregate_is_never_exceeded(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    flow = await new_flow(client, actors, limits={
        "service_fee": "100.00", "per_claim_cap": "1000.00", "annual_aggregate": "300.00"})
    ok(await flow.approve(await flow.ready_claim(amount="250.00")))
    second = await flow.ready_claim(amount="100.00")
    problem(await flow.approve(second, headers=actors.supervisor, override=True), 409,
            "aggregate-limit-exceeded")
    # Rejecting the second claim leaves the aggregate as it was; the first stays committed.
    rejected = ok(await client.post(f"/v1/claims/{second}/reject",
                                    json={"reason": "aggregate reached"}, headers=actors.support))
    assert rejected["status"] == "rejected" and rejected["review"] is None


async def test_approval_needs_the_payment_option_first(flow: Flow) -> None:
    claim = (await flow.accept_credit())["claim"]
    problem(await flow.approve(claim["id"]), 409, "payment-option-missing")


async def test_rejection_completes_the_review_and_ends_the_claim(flow: Flow) -> None:
    claim_id = await flow.ready_claim()
    rejected = ok(await flow.client.post(f"/v1/claims/{claim_id}/reject",
                                         json={"reason": "duplicate"},
                                         headers=flow.actors.payables))
    assert rejected["status"] == "rejected" and rejected["rejected_reason"] == "duplicate"
    job = ok(await flow.client.get(f"/v1/service-jobs/{rejected['job_id']}", headers=flow.me))
    assert [e["status"] for e in job["exceptions"]] == ["complete"]
    problem(await flow.approve(claim_id), 409, "illegal-transition")
    problem(await flow.choose_concourse(claim_id), 409, "illegal-transition")


async def test_a_water_heater_credit_is_reviewed_under_hwh(flow: Flow) -> None:
    claim = (await flow.accept_credit(kind="water_heater", amount="600.00"))["claim"]
    assert claim["review"]["comment_code"] == "HWH"


async def test_the_work_queue_lists_claims_under_review(flow: Flow) -> None:
    claim_id = await flow.ready_claim()
    queue = ok(await flow.client.get("/v1/claims", params={"status": "under_review"},
                                     headers=flow.actors.support))
    assert claim_id in {c["id"] for c in queue}
    assert {c["status"] for c in queue} == {"under_review"}
