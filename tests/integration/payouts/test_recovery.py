"""Recovery: a worker died mid-send, an answer timed out, a callback got lost."""

from __future__ import annotations

from services.payouts.service.dispatch import claim_attempts, dispatch_once
from services.payouts.service.recovery import recover_once
from shared.messaging.contracts import PayoutPaidV1, PayoutSubmittedV1

from .conftest import World, command
from .helpers import attempts, expire_leases, history, payouts


async def test_crash_between_provider_call_and_commit_is_resolved_by_status_query(
    world: World,
) -> None:
    await world.request(command())
    [claimed] = await claim_attempts(world.deps)  # attempt committed as 'sending'
    # The provider call succeeds, then the worker dies before recording the answer.
    await world.deps.rails[claimed.rail].send(claimed.instruction)
    assert await recover_once(world.deps) == 0  # the lease still protects the attempt
    await expire_leases(world)

    assert await recover_once(world.deps) == 1
    [payout] = await payouts(world)
    assert payout.status == "submitted"
    [attempt] = await attempts(world)
    assert (attempt.id, attempt.status, attempt.sends, attempt.checks) == (
        claimed.instruction.end_to_end_id, "submitted", 1, 1)
    assert [e["endToEndId"] for e in await world.ledger()] == [attempt.id]

    # Settlement, then the callback into the payouts app: paid, exactly once.
    await world.sandbox_http.post("/sandbox/release")
    await world.sandbox.settler.idle()
    assert [p.status for p in await payouts(world)] == ["paid"]
    assert len(await world.outbox(PayoutPaidV1.TYPE)) == 1
    assert len(await world.ledger()) == 1


async def test_provider_never_got_it_is_sent_again_with_the_same_id(world: World) -> None:
    await world.request(command())
    [claimed] = await claim_attempts(world.deps)  # ... and the worker dies before sending
    await expire_leases(world)

    assert await recover_once(world.deps) == 1
    [attempt] = await attempts(world)
    assert (attempt.id, attempt.status, attempt.sends) == (
        claimed.instruction.end_to_end_id, "submitted", 2)
    assert [e["endToEndId"] for e in await world.ledger()] == [attempt.id]


async def test_timeout_after_success_is_unknown_then_resolved(world: World) -> None:
    # Recorded, but the answer comes well after we stopped waiting.
    await world.faults(respond_delay_ms=int(world.settings.provider_timeout_s * 3000))
    await world.request(command())
    await dispatch_once(world.deps)

    assert [p.status for p in await payouts(world)] == ["unknown"]
    [attempt] = await attempts(world)
    assert attempt.status == "unknown"
    await world.faults()
    assert await recover_once(world.deps) == 0  # next check is scheduled, not immediate
    await expire_leases(world)
    assert await recover_once(world.deps) == 1

    assert [p.status for p in await payouts(world)] == ["submitted"]
    assert [(a.status, a.sends) for a in await attempts(world)] == [("submitted", 1)]
    assert len(await world.ledger()) == 1
    assert len(await world.outbox(PayoutSubmittedV1.TYPE)) == 1
    assert [h[1] for h in await history(world)][-2:] == ["unknown", "submitted"]


async def test_lost_callback_is_covered_by_polling(world: World) -> None:
    await world.faults(drop_callbacks=True)
    await world.request(command())
    await dispatch_once(world.deps)
    await world.sandbox_http.post("/sandbox/release")
    await world.sandbox.settler.idle()
    assert [p.status for p in await payouts(world)] == ["submitted"]  # nobody told us

    await expire_leases(world)
    assert await recover_once(world.deps) == 1
    assert [p.status for p in await payouts(world)] == ["paid"]
    assert len(await world.outbox(PayoutPaidV1.TYPE)) == 1
    await expire_leases(world)
    assert await recover_once(world.deps) == 0  # a paid attempt is never checked again


async def test_unreachable_provider_during_recovery_makes_the_attempt_unknown(
    world: World,
) -> None:
    await world.request(command())
    await claim_attempts(world.deps)
    await expire_leases(world)
    await world.sandbox_http.post("/sandbox/reset")

    async def broken(end_to_end_id: str) -> object:
        from services.payouts.service.ports import Unknown
        return Unknown("connection refused")

    rail = next(iter(world.deps.rails.values()))
    original = rail.status
    rail.status = broken  # type: ignore[method-assign,assignment]
    try:
        assert await recover_once(world.deps) == 1
    finally:
        rail.status = original  # type: ignore[method-assign]
    assert [p.status for p in await payouts(world)] == ["unknown"]
    await expire_leases(world)
    assert await recover_once(world.deps) == 1  # 404 now: sent again, same id
    assert [p.status for p in await payouts(world)] == ["submitted"]
    assert len(await world.ledger()) == 1
