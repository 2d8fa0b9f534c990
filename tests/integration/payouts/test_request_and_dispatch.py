"""Taking requests and sending them: one payout per key, one provider payment per payout."""

from __future__ import annotations

import pytest

from services.payouts.service.dispatch import claim_attempts, dispatch_once, send_claimed
from services.payouts.service.recovery import recover_once
from shared.messaging.consumer import PermanentError
from shared.messaging.contracts import PayoutFailedV1, PayoutSubmittedV1, RequestPayoutV1
from tests.bank_tokens import authorize

from .conftest import World, command, wrap
from .helpers import CONCOURSE_PAYMENTS, attempts, concourse_body, expire_leases, history, payouts


async def test_same_request_twice_is_one_payout_and_one_provider_payment(world: World) -> None:
    request = command()
    first = wrap(request)
    await world.request(request, first)
    await world.request(request, first)  # redelivery of the same message
    await world.request(request, wrap(request))  # the same request sent again, new message id

    assert [p.status for p in await payouts(world)] == ["approved"]
    assert await dispatch_once(world.deps) == 1
    assert await dispatch_once(world.deps) == 0  # an active attempt: nothing more to send

    [payout] = await payouts(world)
    assert payout.status == "submitted"
    [attempt] = await attempts(world)
    assert (attempt.number, attempt.status, attempt.sends) == (1, "submitted", 1)
    ledger = await world.ledger()
    assert [(e["endToEndId"], e["amount"]) for e in ledger] == [(attempt.id, "125.00")]
    assert await history(world) == [
        (None, "received", "receive"),
        ("received", "approved", "approve_automatically"),
        ("approved", "submitted", "provider_accepted"),
    ]
    [submitted] = await world.outbox(PayoutSubmittedV1.TYPE)
    assert submitted["attempt_id"] == attempt.id
    assert submitted["provider_reference"] == attempt.provider_reference
    assert submitted["source"]["claim_id"] == request.source.claim_id


async def test_same_key_with_another_amount_is_parked_not_paid(world: World) -> None:
    request = command()
    await world.request(request)
    changed = RequestPayoutV1.model_validate({**request.model_dump(), "amount": "126.00"})
    with pytest.raises(PermanentError, match="different amount"):
        await world.request(changed)
    assert [p.status for p in await payouts(world)] == ["approved"]


async def test_placeholder_email_fails_the_payout_and_emits_payout_failed(world: World) -> None:
    request = command(email="noemail@gmail.com")
    await world.request(request)

    [payout] = await payouts(world)
    assert payout.status == "failed"
    assert "placeholder" in payout.status_reason
    [failed] = await world.outbox(PayoutFailedV1.TYPE)
    assert failed["payout_key"] == request.payout_key
    assert "placeholder" in failed["reason"]
    assert await dispatch_once(world.deps) == 0
    assert await world.ledger() == []


async def test_provider_503_then_success_is_one_payment(world: World) -> None:
    await world.faults(fail_next=2)
    await world.request(command())
    assert await dispatch_once(world.deps) == 1

    [attempt] = await attempts(world)
    assert attempt.status == "submitted"
    assert [e["endToEndId"] for e in await world.ledger()] == [attempt.id]


async def test_provider_validation_refusal_fails_the_payout(world: World) -> None:
    # A payee the provider refuses (its own checks): a definitive 4xx.
    request = command()
    await world.request(request)
    await world.sql("UPDATE payouts SET payee = jsonb_set(payee, '{email}', '\"not-an-email\"')")
    await dispatch_once(world.deps)

    [payout] = await payouts(world)
    assert payout.status == "failed"
    [attempt] = await attempts(world)
    assert attempt.status == "failed"
    [failed] = await world.outbox(PayoutFailedV1.TYPE)
    assert failed["attempt_id"] == attempt.id
    assert await world.ledger() == []


async def test_completed_before_our_send_is_submitted_then_paid_by_status_query(
        world: World) -> None:
    await world.request(command())
    # Settled by the provider before our send reached it: the repeat is answered 202 (Global
    # Payments' convention says only "accepted"), and the status query finds it COMPLETED.
    await world.faults(hold_settlement=True)
    [claimed] = await claim_attempts(world.deps)
    await authorize(world.sandbox_http)  # a caller of the bank's API other than ours
    await world.sandbox_http.post(CONCOURSE_PAYMENTS,
                                  json=concourse_body(claimed.instruction.end_to_end_id))
    await world.sandbox.store.complete_all_pending(world.sandbox.clock.now())
    await send_claimed(world.deps, claimed)
    assert [(a.status, a.sends) for a in await attempts(world)] == [("submitted", 1)]
    await expire_leases(world)
    assert await recover_once(world.deps) == 1

    assert [p.status for p in await payouts(world)] == ["paid"]
    assert [(a.status, a.sends) for a in await attempts(world)] == [("paid", 1)]
    assert len(await world.outbox("payouts.payout_paid")) == 1
    assert len(await world.ledger()) == 1


async def test_a_committed_approval_wakes_the_dispatcher_and_a_failure_does_not(
        world: World) -> None:
    world.deps.dispatch_wake.clear()
    await world.request(command(email="noemail@gmail.com"))  # failed: nothing to send
    assert not world.deps.dispatch_wake.is_set()

    await world.request(command())
    assert world.deps.dispatch_wake.is_set()  # approved and committed: send it now
    assert sorted(p.status for p in await payouts(world)) == ["approved", "failed"]
