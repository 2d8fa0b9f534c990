"""Payout events at least once, out of order, contradictory: never lose, never pay twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from services.claims.service.context import ServiceContext
from services.claims.service.payout_events import apply_payout_event
from shared.messaging.consumer import Handler, PermanentError
from shared.messaging.contracts import (
    Contract,
    PayoutFailedV1,
    PayoutPaidV1,
    PayoutSubmittedV1,
    Rail,
    RequestPayoutV1,
)
from shared.messaging.envelope import Envelope
from tests.integration.api import ok

from .conftest import Flow
from .test_claim_credit_flow import outbox_commands


def report(kind: Callable[..., Contract], command: RequestPayoutV1, claim_id: str,
           **fields: Any) -> Envelope:
    """A payouts report of ``kind`` about ``command``'s payout (po-9), for the claim."""
    event = kind(payout_id="po-9", payout_key=command.payout_key, source=command.source,
                 **{"amount": command.amount, "rail": command.rail, **fields})
    return Envelope.wrap(event, producer="payouts", correlation_id=claim_id)


def paid(command: RequestPayoutV1, claim_id: str, amount: Decimal | None = None) -> Envelope:
    return report(PayoutPaidV1, command, claim_id, amount=amount or command.amount,
                  attempt_id="a-1")


def failed(command: RequestPayoutV1, claim_id: str) -> Envelope:
    return report(PayoutFailedV1, command, claim_id, reason="payee email bounced")


def submitted(command: RequestPayoutV1, claim_id: str) -> Envelope:
    return report(PayoutSubmittedV1, command, claim_id, attempt_id="a-1")


async def approved_command(flow: Flow, claims: ServiceContext) -> tuple[str, RequestPayoutV1]:
    claim_id = await flow.ready_claim()
    ok(await flow.approve(claim_id))
    [command] = await outbox_commands(claims, claim_id)
    return claim_id, command


async def test_a_confirmed_failure_reopens_review_and_a_new_payout_gets_a_new_key(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    claim_id, first = await approved_command(flow, claims)
    await handle(failed(first, claim_id))
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "under_review"
    assert claim["review"]["status"] == "follow_up"
    assert claim["payouts"][0]["failure_reason"] == "payee email bounced"

    # The customer chooses a check this time; Support Services approves again.
    ok(await flow.client.post(f"/v1/claims/{claim_id}/payment-option", headers=flow.me,
                              json={"rail": "check", "accept_terms": True}))
    ok(await flow.approve(claim_id))
    commands = await outbox_commands(claims, claim_id)
    second = next(c for c in commands if c.payout_key != first.payout_key)
    assert second.payout_key.endswith(":payout:2") and second.rail.value == "check"
    assert second.payee.address is not None and second.payee.address.zip == "78701"

    await handle(submitted(first, claim_id))  # late news of the failed payout: ignored
    await handle(paid(second, claim_id))
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "paid"
    assert [(p["status"], p["rail"]) for p in claim["payouts"]] == [
        ("failed", "concourse"), ("paid", "check")]


async def test_paid_may_overtake_submitted(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    claim_id, command = await approved_command(flow, claims)
    await handle(paid(command, claim_id))
    await handle(submitted(command, claim_id))
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "paid" and claim["payouts"][0]["status"] == "paid"


async def test_concurrent_duplicates_apply_once(flow: Flow, claims: ServiceContext) -> None:
    claim_id, command = await approved_command(flow, claims)
    envelope = paid(command, claim_id)
    report = envelope.open()
    assert isinstance(report, PayoutPaidV1)
    results = await asyncio.gather(
        *(apply_payout_event(claims, envelope, report) for _ in range(4))
    )
    assert sorted(results) == [False, False, False, True]
    timeline = ok(await flow.client.get(f"/v1/claims/{claim_id}/timeline", headers=flow.me))
    assert [e["action"] for e in timeline].count("payout_paid") == 1


async def test_events_that_can_never_apply_are_parked(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    claim_id, command = await approved_command(flow, claims)
    unknown = command.model_copy(update={"payout_key": "claim:nope:payout:1"})
    with pytest.raises(PermanentError, match="unknown-payout"):
        await handle(paid(unknown, claim_id))
    with pytest.raises(PermanentError, match="payout-conflict"):
        await handle(paid(command, claim_id, amount=command.amount + 1))
    await handle(paid(command, claim_id))
    with pytest.raises(PermanentError, match="reconcile"):
        await handle(failed(command, claim_id))
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "paid"


async def test_a_fallback_to_another_rail_still_pays_the_claim(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    """Payouts mails a check when a Zelle payee is not enrolled: same amount, another rail."""
    claim_id, command = await approved_command(flow, claims)
    as_check = command.model_copy(update={"rail": Rail.CHECK})
    await handle(submitted(as_check, claim_id))
    await handle(paid(as_check, claim_id))
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "paid"
    assert claim["payouts"][0]["rail"] == "check"
    timeline = ok(await flow.client.get(f"/v1/claims/{claim_id}/timeline", headers=flow.me))
    assert any("fallback" in str(e["detail"]) for e in timeline)



async def test_a_report_about_another_claim_or_payout_is_refused(
    flow: Flow, claims: ServiceContext, handle: Handler
) -> None:
    """Authentic messages are cross-checked too: an event must be about the payout this claim
    requested, as the payouts service first named it."""
    claim_id, command = await approved_command(flow, claims)
    other_claim = command.model_copy(update={"source": command.source.model_copy(
        update={"claim_id": "11111111-2222-4333-8444-555555555555"})})
    with pytest.raises(PermanentError, match="belongs to claim"):
        await handle(paid(other_claim, claim_id))
    await handle(submitted(command, claim_id))  # names payout po-9
    imposter = PayoutPaidV1(payout_id="po-imposter", payout_key=command.payout_key,
                            source=command.source, amount=command.amount, rail=command.rail,
                            attempt_id="a-1")
    with pytest.raises(PermanentError, match="the report names po-imposter"):
        await handle(Envelope.wrap(imposter, producer="payouts", correlation_id=claim_id))
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "transferred"
