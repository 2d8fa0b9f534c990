"""A payout held for a second person's approval: who released or rejected it, and when, is on
the claim's timeline with the approver as the entry's actor."""

from __future__ import annotations

from datetime import UTC, datetime

from services.claims.consumers.payout_events import payout_events_handler
from services.claims.service.context import ServiceContext
from shared.messaging.contracts import PayoutDecidedV1, PayoutDecision, RequestPayoutV1
from shared.messaging.envelope import Envelope
from tests.integration.api import ok

from .conftest import Flow
from .test_payout_events import approved_command, paid, submitted
from .test_payout_reopen import cancelled, published_transitions

AT = datetime(2026, 11, 22, 12, 5, tzinfo=UTC)


def decided(command: RequestPayoutV1, claim_id: str, decision: PayoutDecision,
            approver: str) -> Envelope:
    event = PayoutDecidedV1(payout_id="po-9", payout_key=command.payout_key,
                            source=command.source, amount=command.amount, rail=command.rail,
                            decision=decision, decided_by=approver, decided_at=AT,
                            reason="checked against the invoice")
    return Envelope.wrap(event, producer="payouts", correlation_id=claim_id)


async def test_the_approver_who_released_a_held_payout_is_on_the_timeline(
    flow: Flow, claims: ServiceContext,
) -> None:
    handle = payout_events_handler(claims)
    claim_id, command = await approved_command(flow, claims)
    release = decided(command, claim_id, PayoutDecision.RELEASED, "payables-pat")
    await handle(release)
    await handle(release)  # redelivered: one entry
    await handle(submitted(command, claim_id))
    await handle(paid(command, claim_id))

    timeline = ok(await flow.client.get(f"/v1/claims/{claim_id}/timeline", headers=flow.me))
    actions = [e["action"] for e in timeline]
    assert actions.index("approve") < actions.index("payout_released") \
        < actions.index("payout_submitted")
    [released] = [e for e in timeline if e["action"] == "payout_released"]
    assert released["actor"] == "payables-pat"
    assert released["detail"]["decided_at"] == AT.isoformat()
    assert released["detail"]["payout_key"] == command.payout_key
    assert released["to_status"] is None  # the claim did not move
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "paid"
    assert "payout_released" not in [a for _, a, _ in await published_transitions(claims,
                                                                                  claim_id)]


async def test_the_approver_who_rejected_a_held_payout_is_on_the_timeline(
    flow: Flow, claims: ServiceContext,
) -> None:
    handle = payout_events_handler(claims)
    claim_id, command = await approved_command(flow, claims)
    await handle(decided(command, claim_id, PayoutDecision.REJECTED, "payables-ria"))
    await handle(cancelled(command, claim_id, final_status="rejected",
                           reason="reject by payables-ria: duplicate"))

    timeline = ok(await flow.client.get(f"/v1/claims/{claim_id}/timeline", headers=flow.me))
    [rejected] = [e for e in timeline if e["action"] == "payout_rejected"]
    assert rejected["actor"] == "payables-ria"
    assert rejected["detail"]["decided_at"] == AT.isoformat()
    ended = next(e for e in timeline if e["action"] == "payout_cancelled")
    assert ended["to_status"] == "under_review"
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["payouts"][0]["status"] == "rejected"
