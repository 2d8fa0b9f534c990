"""The newer payout events: returned and cancelled payouts reopen the claim with the reason and
release its limits; an SLA breach is a note on the timeline. All in order on the timeline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.claims.service.context import ServiceContext
from shared.messaging.consumer import Handler, PermanentError
from shared.messaging.contracts import (
    ClaimsStateChangedV1,
    PayoutCancelledV1,
    PayoutReturnedV1,
    PayoutSlaBreachedV1,
    RequestPayoutV1,
)
from shared.messaging.envelope import Envelope
from shared.messaging.tables import outbox
from tests.integration.api import ok, problem

from .conftest import Flow
from .test_limits import holds
from .test_payout_events import approved_command, paid, report, submitted


async def published_transitions(claims: ServiceContext, correlation_id: str
                                ) -> list[tuple[str, str, str | None]]:
    """The ``claims.state_changed`` messages in the outbox for ``correlation_id``, in order."""
    async with claims.sessions() as session:
        bodies = (await session.execute(
            select(outbox.c.body).where(outbox.c.correlation_id == correlation_id,
                                        outbox.c.type == ClaimsStateChangedV1.TYPE)
            .order_by(outbox.c.id))).scalars().all()
    changes = [Envelope.model_validate_json(body).open() for body in bodies]
    return [(c.entity, c.action, c.to_status) for c in changes
            if isinstance(c, ClaimsStateChangedV1)]


def returned(command: RequestPayoutV1, claim_id: str) -> Envelope:
    return report(PayoutReturnedV1, command, claim_id,
                  reason="R01 insufficient funds: ACH returned")


def cancelled(command: RequestPayoutV1, claim_id: str, final_status: str = "cancelled",
              reason: str = "voided by payables") -> Envelope:
    return report(PayoutCancelledV1, command, claim_id, final_status=final_status, reason=reason)


def sla_breached(command: RequestPayoutV1, claim_id: str) -> Envelope:
    return report(PayoutSlaBreachedV1, command, claim_id, status="submitted",
                  deadline=datetime(2026, 1, 2, 12, tzinfo=UTC))


async def test_a_returned_payment_reopens_the_paid_claim_and_releases_its_limits(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    claim_id, command = await approved_command(flow, claims)
    await handle(submitted(command, claim_id))
    await handle(sla_breached(command, claim_id))
    await handle(paid(command, claim_id))
    await handle(returned(command, claim_id))

    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "under_review"
    assert claim["payouts"][0]["status"] == "returned"
    assert claim["payouts"][0]["failure_reason"] == "R01 insufficient funds: ACH returned"
    # The paid review had completed; a new one is back with Support Services.
    assert claim["review"]["status"] == "follow_up"
    assert [s for _, s, _ in await holds(claims, flow.contract["id"])] == ["released"]

    timeline = ok(await flow.client.get(f"/v1/claims/{claim_id}/timeline", headers=flow.me))
    events = [(e["entity"], e["action"], e["to_status"]) for e in timeline]
    after_approval = events[events.index(("claim", "approve", "approved")):]
    assert after_approval == [
        ("claim", "approve", "approved"),
        ("claim", "payout_submitted", "transferred"),
        ("job", "note", None),  # the SLA breach
        ("claim", "payout_paid", "paid"),
        ("limit_hold", "consume", "consumed"),
        ("exception", "complete", "complete"),
        ("claim", "payout_returned", "under_review"),
        ("limit_hold", "release", "released"),
        ("exception", "reopen", "follow_up"),
    ]
    # Published: each of those transitions but the holds' (on the timeline only).
    assert await published_transitions(claims, claim_id) == [
        (e, a, s) for e, a, s in after_approval if s is not None and e != "limit_hold"]
    sla = next(e for e in timeline if "past its deadline" in e["detail"].get("text", ""))
    assert sla["actor"] == "system"
    reopened = next(e for e in timeline if e["action"] == "payout_returned")
    assert reopened["detail"]["reason"] == "R01 insufficient funds: ACH returned"

    # A new payment option and approval make a new payout with a new key.
    ok(await flow.choose_concourse(claim_id))
    again = ok(await flow.approve(claim_id))
    assert [p["payout_key"][-1] for p in again["payouts"]] == ["1", "2"]


async def test_a_cancelled_payout_reopens_the_claim_with_the_reason(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    claim_id, command = await approved_command(flow, claims)
    # While the payout is in flight, the payment details are locked.
    problem(await flow.choose_concourse(claim_id), 409, "payment-locked")
    await handle(cancelled(command, claim_id))
    await handle(cancelled(command, claim_id))  # redelivered: acknowledged, nothing changes
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "under_review" and claim["review"]["status"] == "follow_up"
    assert claim["payouts"][0]["status"] == "cancelled"
    assert claim["payouts"][0]["failure_reason"] == "voided by payables"
    assert [s for _, s, _ in await holds(claims, flow.contract["id"])] == ["released"]
    # Details may change again now that the payout is known not to pay.
    ok(await flow.choose_concourse(claim_id))


async def test_an_expired_payout_is_expired_on_the_claim_too(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    claim_id, command = await approved_command(flow, claims)
    await handle(submitted(command, claim_id))
    stale = "STAL: not cashed in 14 days; 3 checks issued, giving up"
    await handle(cancelled(command, claim_id, final_status="expired", reason=stale))
    await handle(cancelled(command, claim_id, final_status="expired", reason=stale))  # again

    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "under_review"
    assert [(p["status"], p["failure_reason"]) for p in claim["payouts"]] == [("expired", stale)]
    assert [s for _, s, _ in await holds(claims, flow.contract["id"])] == ["released"]
    timeline = ok(await flow.client.get(f"/v1/claims/{claim_id}/timeline", headers=flow.me))
    [ended] = [e for e in timeline if e["action"] == "payout_cancelled"]
    assert ended["to_status"] == "under_review"
    assert ended["detail"]["final_status"] == "expired"
    # An expired payout is dead: the details may change and a new approval pays again.
    ok(await flow.choose_concourse(claim_id))
    again = ok(await flow.approve(claim_id))
    assert [p["status"] for p in again["payouts"]] == ["expired", "requested"]


async def test_a_final_status_claims_does_not_know_is_parked(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    claim_id, command = await approved_command(flow, claims)
    with pytest.raises(PermanentError, match="final status 'vanished'"):
        await handle(cancelled(command, claim_id, final_status="vanished"))
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["payouts"][0]["status"] == "requested"
