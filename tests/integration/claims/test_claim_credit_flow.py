"""Seed 000 end to end inside claims: options -> Claim Credit -> review exception -> Concourse
-> approval (outbox command) -> payout events -> Paid, with the audit trail."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from services.claims.consumers.payout_events import payout_events_handler
from services.claims.service.context import ServiceContext
from shared.messaging.contracts import PayoutPaidV1, PayoutSubmittedV1, RequestPayoutV1
from shared.messaging.envelope import Envelope
from shared.messaging.tables import outbox
from tests.integration.api import ok, problem

from .conftest import Actors, Flow, new_flow


async def outbox_commands(claims: ServiceContext, claim_id: str) -> list[RequestPayoutV1]:
    async with claims.sessions() as session:
        rows = (await session.execute(
            select(outbox.c.body).where(outbox.c.correlation_id == claim_id)
        )).scalars().all()
    commands = [Envelope.model_validate_json(body).open() for body in rows]
    return [c for c in commands if isinstance(c, RequestPayoutV1)]


def reported(command: RequestPayoutV1, event: type[PayoutSubmittedV1 | PayoutPaidV1],
             correlation_id: str) -> Envelope:
    """What the payouts service would publish about ``command``."""
    message = event(
        payout_id="po-1", payout_key=command.payout_key, source=command.source,
        amount=command.amount, rail=command.rail, attempt_id="att-1",
        provider_reference="CNC-0000000001",
    )
    return Envelope.wrap(message, producer="payouts", correlation_id=correlation_id)


async def test_claim_credit_is_paid_through_concourse(flow: Flow, claims: ServiceContext) -> None:
    client, actors = flow.client, flow.actors
    order = await flow.request_service()
    assert order["jobs"][0]["status"] == "new"
    order = await flow.offer_credit(order["id"])
    assert [o["status"] for o in order["options"]] == ["offered", "offered"]

    # The customer sees the options and accepts the Claim Credit.
    seen = ok(await client.get(f"/v1/service-orders/{order['id']}", headers=flow.me))
    credit = next(o for o in seen["options"] if o["kind"] == "claim_credit")
    accepted = ok(await client.post(
        f"/v1/service-orders/{order['id']}/options/{credit['id']}/accept", headers=flow.me))
    assert {o["kind"]: o["status"] for o in accepted["options"]} == {
        "replacement": "declined", "claim_credit": "accepted"}
    claim = accepted["claim"]
    assert claim["status"] == "under_review"
    assert (claim["gross"], claim["deductible"], claim["payable"]) == ("250.00", "0.00", "250.00")
    assert claim["review"]["type"] == "ss_claim_credit_review"
    assert claim["review"]["comment_code"] == "CCA" and claim["review"]["status"] == "open"

    job = ok(await client.get(f"/v1/service-jobs/{claim['job_id']}", headers=actors.support))
    assert job["claim_id"] == claim["id"]
    assert job["notes"][0]["text"] == (
        f"Customer (user-{flow.customer_id}) declined Replacement; accepted Claim Credit of "
        "$250.00.")

    # Select Payment Option: Concourse with a verified email and the terms accepted.
    chosen = ok(await flow.choose_concourse(claim["id"], email="jane.d@homemail.org"))
    assert chosen["payment"]["rail"] == "concourse"
    assert chosen["payment"]["email"] == "jane.d@homemail.org"
    assert chosen["payment"]["terms_accepted_by"] == f"user-{flow.customer_id}"

    # Support Services approves: the payout command is in the outbox, in the same commit.
    approved = ok(await flow.approve(claim["id"], note="Reviewed CCA"))
    assert approved["status"] == "approved" and approved["approved_by"] == "ss-1"
    assert approved["payouts"][0]["status"] == "requested"
    [command] = await outbox_commands(claims, claim["id"])
    assert command.payout_key == f"claim:{claim['id']}:payout:1"
    assert str(command.amount) == "250.00" and command.rail.value == "concourse"
    assert command.payee.kind.value == "customer" and command.payee.name == "Jane Doe"
    assert command.payee.email == "jane.d@homemail.org"
    assert command.source.kind == "claim_credit" and command.requested_by == "ss-1"

    # Payouts reports back through the consumer: Transferred, then Paid; review Complete.
    handle = payout_events_handler(claims)
    await handle(reported(command, PayoutSubmittedV1, claim["id"]))
    claim_now = ok(await client.get(f"/v1/claims/{claim['id']}", headers=flow.me))
    assert claim_now["status"] == "transferred"
    paid = reported(command, PayoutPaidV1, claim["id"])
    await handle(paid)
    await handle(paid)  # a redelivery is acknowledged and changes nothing
    claim_now = ok(await client.get(f"/v1/claims/{claim['id']}", headers=flow.me))
    assert claim_now["status"] == "paid" and claim_now["review"] is None
    assert claim_now["payouts"][0]["status"] == "paid"
    assert claim_now["payouts"][0]["provider_reference"] == "CNC-0000000001"
    job = ok(await client.get(f"/v1/service-jobs/{claim['job_id']}", headers=actors.support))
    assert job["exceptions"][0]["status"] == "complete"

    timeline = ok(await client.get(f"/v1/claims/{claim['id']}/timeline", headers=flow.me))
    assert [(e["entity"], e["action"], e["to_status"]) for e in timeline] == [
        ("job", "create", "new"),
        ("job", "dispatch", None),
        ("order", "post_options", None),
        ("order", "accept_option", None),
        ("claim", "create", "saved"),
        ("claim", "submit", "under_review"),
        ("exception", "open", "open"),
        ("job", "note", None),
        ("claim", "select_payment", None),
        ("limit_hold", "reserve", "reserved"),
        ("claim", "approve", "approved"),
        ("job", "note", None),
        ("claim", "payout_submitted", "transferred"),
        ("claim", "payout_paid", "paid"),
        ("limit_hold", "consume", "consumed"),
        ("exception", "complete", "complete"),
    ]
    assert {e["actor"] for e in timeline if e["action"] == "approve"} == {"ss-1"}
    select_event = next(e for e in timeline if e["action"] == "select_payment")
    assert select_event["detail"]["email"] == "j***@homemail.org"  # masked in the audit trail


async def test_payment_option_rules(flow: Flow) -> None:
    claim = (await flow.accept_credit())["claim"]
    problem(await flow.choose_concourse(claim["id"], email="noemail@cinch.com"), 422,
            "placeholder-email")
    problem(await flow.choose_concourse(claim["id"], accept_terms=False), 422,
            "terms-not-accepted")
    problem(await flow.choose_concourse(claim["id"], rail="zelle"), 422, "rail-not-allowed")
    # An agent cannot accept the customer's terms for them.
    response = await flow.client.post(
        f"/v1/claims/{claim['id']}/payment-option", headers=flow.actors.byop_agent,
        json={"rail": "concourse", "accept_terms": True})
    problem(response, 403, "payee-must-confirm")
    check = ok(await flow.client.post(
        f"/v1/claims/{claim['id']}/payment-option", headers=flow.me,
        json={"rail": "check", "accept_terms": True}))
    assert check["payment"]["mailing_address"]["city"] == "Austin"  # the address on file


async def test_placeholder_email_on_file_does_not_count(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    flow = await new_flow(client, actors, email="noemail@cinch.com")
    claim = (await flow.accept_credit())["claim"]
    problem(await flow.choose_concourse(claim["id"]), 422, "placeholder-email")
    ok(await flow.choose_concourse(claim["id"], email="real.person@homemail.net"))


async def test_approval_is_idempotent_per_key(flow: Flow, claims: ServiceContext) -> None:
    claim_id = await flow.ready_claim()
    key = f"approve-{uuid.uuid4().hex}"
    first = await flow.approve(claim_id, key=key)
    again = await flow.approve(claim_id, key=key)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(await outbox_commands(claims, claim_id)) == 1
    problem(await flow.approve(claim_id, key=key, override=True), 422, "idempotency-key-reused")
    # A new key is a new approval attempt, and the claim is no longer under review.
    problem(await flow.approve(claim_id), 409, "illegal-transition")
    response = await flow.client.post(f"/v1/claims/{claim_id}/approve", json={},
                                      headers=flow.actors.support)
    problem(response, 422, "validation-error")  # the key is required
