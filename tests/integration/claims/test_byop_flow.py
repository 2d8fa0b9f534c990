"""Seed 001, BYOP: initiation -> diagnosis -> coverage -> invoice -> payment request -> review
-> payment to the pro by Zelle, or to the customer, less the $100 deductible."""

from __future__ import annotations

from typing import Any

import httpx

from services.claims.service.context import ServiceContext
from tests.integration.api import ok, problem

from .conftest import Actors, Flow, new_flow
from .test_claim_credit_flow import outbox_commands

PRO = {"name": "Acme Plumbing", "email": "billing@acme-plumbing.example",
       "mobile": "+15125550199"}


async def open_byop_job(flow: Flow, kind: str = "water_heater", issue: str = "Leaking tank"
                        ) -> str:
    """The BYOP team opens a job on the customer's ``kind``; returns the job's path."""
    job = ok(await flow.client.post("/v1/byop-jobs", headers=flow.actors.byop_agent, json={
        "contract_id": flow.contract["id"], "covered_item_id": flow.item(kind),
        "problem": issue}), 201)
    assert (job["stage"], job["job_status"]) == ("authorized_to_schedule", "accepted")
    return f"/v1/byop-jobs/{job['job_id']}"


async def completed_byop_job(
    flow: Flow, *, authorized: str = "900.00", invoice: str = "1000.00",
    estimate: str = "1450.00",
) -> str:
    """A water heater job diagnosed, authorized and completed by the pro; returns its path."""
    client, agent = flow.client, flow.actors.byop_agent
    base = await open_byop_job(flow)
    ok(await client.post(f"{base}/diagnosis", headers=agent, json={
        "service_pro": PRO, "diagnosis": "Tank corroded", "estimate": estimate}))
    ok(await client.post(f"{base}/decision", headers=agent, json={
        "decision": "authorize", "authorized_amount": authorized, "reason": "covered"}))
    done = ok(await client.post(f"{base}/completion", headers=agent,
                                json={"invoice_amount": invoice}))
    assert (done["stage"], done["job_status"]) == ("completed", "completed")
    return base


async def byop_to_payment_request(
    flow: Flow, *, authorized: str = "900.00", invoice: str = "1000.00",
    estimate: str = "1450.00",
) -> dict[str, Any]:
    base = await completed_byop_job(flow, authorized=authorized, invoice=invoice,
                                    estimate=estimate)
    return dict(ok(await flow.client.post(f"{base}/payment-request",
                                          headers=flow.actors.byop_agent), 201))


async def confirm(flow: Flow, claim_id: str, version: str = "2026-01") -> dict[str, Any]:
    """The customer accepts the payment confirmation for what the BYOP team recorded."""
    return dict(ok(await flow.client.post(
        f"/v1/claims/{claim_id}/payment-confirmation", headers=flow.me,
        json={"accept_terms": True, "terms_version": version})))


async def test_byop_pro_is_paid_by_zelle_less_the_deductible(
    flow: Flow, claims: ServiceContext
) -> None:
    claim = await byop_to_payment_request(flow)
    assert claim["kind"] == "byop_reimbursement" and claim["status"] == "under_review"
    assert (claim["gross"], claim["deductible"], claim["payable"]) == (
        "900.00", "100.00", "800.00")
    assert claim["review"]["comment_code"] == "OUTNTWRKFRR"
    assert claim["created_by"] == "byop-1"

    # The customer may not pick Zelle to the pro; the BYOP team records the pro's form.
    body = {"rail": "zelle", "payee": "service_pro"}
    url = f"/v1/claims/{claim['id']}/payment-option"
    problem(await flow.client.post(url, json=body, headers=flow.me), 403, "payee-must-confirm")
    chosen = ok(await flow.client.post(url, json=body, headers=flow.actors.byop_agent))
    assert chosen["payment"]["payee_name"] == "Acme Plumbing"
    assert chosen["payment"]["terms_accepted_at"] is None

    # Stage 3: payables cannot take it until the customer accepted the payment confirmation.
    problem(await flow.approve(claim["id"], headers=flow.actors.payables), 409,
            "payment-not-confirmed")
    confirmed = await confirm(flow, claim["id"])
    assert confirmed["payment"]["terms_accepted_by"] == f"user-{flow.customer_id}"
    assert confirmed["payment"]["terms_version"] == "2026-01"

    approved = ok(await flow.approve(claim["id"], headers=flow.actors.payables))
    assert approved["status"] == "approved"
    [command] = await outbox_commands(claims, claim["id"])
    assert (command.rail.value, command.payee.kind.value) == ("zelle", "service_pro")
    assert command.payee.mobile == "+15125550199" and str(command.amount) == "800.00"
    assert command.source.kind == "byop_reimbursement"


async def test_byop_customer_is_reimbursed_at_most_the_invoice(flow: Flow) -> None:
    claim = await byop_to_payment_request(flow, authorized="900.00", invoice="500.00")
    assert (claim["gross"], claim["payable"]) == ("500.00", "400.00")
    ok(await flow.choose_concourse(claim["id"]))
    assert ok(await flow.approve(claim["id"]))["payouts"][0]["amount"] == "400.00"


async def test_nothing_payable_after_the_deductible_is_rejected_at_once(flow: Flow) -> None:
    claim = await byop_to_payment_request(flow, authorized="80.00", invoice="80.00")
    assert claim["status"] == "rejected" and claim["payable"] == "0.00"
    assert claim["review"] is None


async def test_byop_steps_are_enforced(flow: Flow) -> None:
    client, agent = flow.client, flow.actors.byop_agent
    base = await open_byop_job(flow, "microwave", "No heat")
    problem(await client.post(f"{base}/payment-request", headers=agent), 409,
            "illegal-transition")
    ok(await client.post(f"{base}/diagnosis", headers=agent, json={
        "service_pro": PRO, "diagnosis": "Magnetron", "estimate": "300.00"}))
    problem(await client.post(f"{base}/decision", headers=agent, json={
        "decision": "authorize", "authorized_amount": "300.01", "reason": "r"}), 422,
        "invalid-amount")
    problem(await client.post(f"{base}/decision", headers=agent, json={
        "decision": "deny", "authorized_amount": "10.00", "reason": "r"}), 422,
        "validation-error")
    denied = ok(await client.post(f"{base}/decision", headers=agent,
                                  json={"decision": "deny", "reason": "pre-existing"}))
    assert denied["stage"] == "denied" and denied["claim_id"] is None
    problem(await client.post(f"{base}/diagnosis", headers=flow.actors.agent, json={
        "service_pro": PRO, "diagnosis": "x", "estimate": "1.00"}), 403, "forbidden")
    mine = ok(await client.get(base, headers=flow.me))
    assert mine["service_pro"]["name"] == "Acme Plumbing"


async def test_the_trades_deductible_and_the_remaining_limits_bound_the_reimbursement(
    client: httpx.AsyncClient, actors: Actors, claims: ServiceContext
) -> None:
    limits = {"service_fee": "100.00", "per_claim_cap": "1000.00", "annual_aggregate": "700.00",
              "trade_deductibles": {"water_heater": "175.00"}}
    flow = await new_flow(client, actors, limits=limits)
    base = await open_byop_job(flow)
    agent = flow.actors.byop_agent
    pro = {**PRO, "zelle_token": "+15125550111"}
    ok(await client.post(f"{base}/diagnosis", headers=agent, json={
        "service_pro": pro, "diagnosis": "Tank corroded", "estimate": "1450.00"}))
    # Above what the aggregate leaves: refused with the reason.
    body = problem(await client.post(f"{base}/decision", headers=agent, json={
        "decision": "authorize", "authorized_amount": "700.01", "reason": "covered"}), 422,
        "invalid-amount")
    assert "remaining limits" in body["detail"]
    ok(await client.post(f"{base}/decision", headers=agent, json={
        "decision": "authorize", "authorized_amount": "700.00", "reason": "covered"}))
    ok(await client.post(f"{base}/completion", headers=agent, json={"invoice_amount": "800.00"}))
    claim = ok(await client.post(f"{base}/payment-request", headers=agent), 201)
    assert (claim["gross"], claim["deductible"], claim["payable"]) == (
        "700.00", "175.00", "525.00")

    url = f"/v1/claims/{claim['id']}/payment-option"
    # A check to the pro needs the pro's mailing address, which was not given.
    problem(await client.post(url, headers=agent, json={"rail": "check",
                                                        "payee": "service_pro"}),
            422, "mailing-address-required")
    ok(await client.post(url, headers=agent, json={"rail": "zelle", "payee": "service_pro"}))
    await confirm(flow, claim["id"])
    ok(await flow.approve(claim["id"]))
    [command] = await outbox_commands(claims, claim["id"])
    assert command.payee.zelle_token == "+15125550111" and str(command.amount) == "525.00"


async def test_a_zelle_token_is_an_email_or_a_us_mobile(flow: Flow) -> None:
    base = await open_byop_job(flow, "microwave", "No heat")
    problem(await flow.client.post(
        f"{base}/diagnosis", headers=flow.actors.byop_agent,
        json={"service_pro": {**PRO, "zelle_token": "acme-7731"}, "diagnosis": "x",
              "estimate": "10.00"}), 422, "validation-error")


async def test_only_the_customer_accepts_the_payment_confirmation(flow: Flow) -> None:
    claim = await byop_to_payment_request(flow)
    url = f"/v1/claims/{claim['id']}/payment-confirmation"
    accept = {"accept_terms": True, "terms_version": "2026-01"}
    # Nothing selected yet: there is nothing to confirm.
    problem(await flow.client.post(url, headers=flow.me, json=accept), 409,
            "payment-option-missing")
    ok(await flow.client.post(f"/v1/claims/{claim['id']}/payment-option",
                              headers=flow.actors.byop_agent,
                              json={"rail": "zelle", "payee": "service_pro"}))
    for staff in (flow.actors.byop_agent, flow.actors.payables, flow.actors.agent):
        problem(await flow.client.post(url, headers=staff, json=accept), 403, "forbidden")
    problem(await flow.client.post(url, headers=flow.me,
                                   json={**accept, "terms_version": "1999-01"}),
            422, "unknown-terms-version")
    problem(await flow.client.post(url, headers=flow.me, json={**accept, "accept_terms": False}),
            422, "validation-error")
    assert ok(await flow.client.get(f"/v1/claims/{claim['id']}", headers=flow.me))[
        "payment"]["terms_accepted_at"] is None
    await confirm(flow, claim["id"])
    timeline = ok(await flow.client.get(f"/v1/claims/{claim['id']}/timeline", headers=flow.me))
    [event] = [e for e in timeline if e["action"] == "confirm_payment"]
    assert event["actor"] == f"user-{flow.customer_id}"
    assert event["detail"]["payment"] == "zelle to service_pro"


async def test_a_new_payment_form_needs_a_new_confirmation(flow: Flow) -> None:
    claim = await byop_to_payment_request(flow)
    url = f"/v1/claims/{claim['id']}/payment-option"
    agent = flow.actors.byop_agent
    ok(await flow.client.post(url, headers=agent, json={"rail": "zelle", "payee": "service_pro"}))
    await confirm(flow, claim["id"])
    changed = ok(await flow.client.post(url, headers=agent, json={
        "rail": "check", "payee": "service_pro", "mailing_address": {
            "line1": "9 Trade Rd", "city": "Austin", "state": "TX", "zip": "78702"}}))
    assert changed["payment"]["terms_accepted_at"] is None
    problem(await flow.approve(claim["id"]), 409, "payment-not-confirmed")


async def test_a_customer_payee_confirms_with_their_own_selection(flow: Flow) -> None:
    claim = await byop_to_payment_request(flow)
    chosen = ok(await flow.choose_concourse(claim["id"]))
    assert chosen["payment"]["terms_accepted_by"] == f"user-{flow.customer_id}"
    assert ok(await flow.approve(claim["id"]))["status"] == "approved"


async def test_zelle_above_100000_is_refused_when_it_is_chosen(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    limits = {"service_fee": "100.00", "per_claim_cap": "300000.00",
              "annual_aggregate": "500000.00"}
    flow = await new_flow(client, actors, limits=limits)
    claim = await byop_to_payment_request(flow, authorized="100100.01", invoice="100100.01",
                                          estimate="100100.01")
    assert claim["payable"] == "100000.01"
    url = f"/v1/claims/{claim['id']}/payment-option"
    agent = flow.actors.byop_agent
    body = problem(await client.post(url, headers=agent,
                                     json={"rail": "zelle", "payee": "service_pro"}),
                   422, "rail-limit-exceeded")
    assert "at most 100000.00 USD" in body["detail"]
    after = ok(await client.get(f"/v1/claims/{claim['id']}", headers=agent))
    assert after["payment"] is None  # nothing stored
    # A check carries it.
    ok(await client.post(url, headers=agent, json={
        "rail": "check", "payee": "service_pro", "mailing_address": {
            "line1": "9 Trade Rd", "city": "Austin", "state": "TX", "zip": "78702"}}))
