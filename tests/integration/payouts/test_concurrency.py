"""Racing workers on the real database: row locks and the unique indexes keep it to one."""

from __future__ import annotations

import asyncio

from services.payouts.adapters.repositories import NewAttempt
from services.payouts.domain.attempts import new_end_to_end_id
from services.payouts.domain.outcomes import Observation
from services.payouts.service.dispatch import claim_attempts, dispatch_once, record_send_result
from services.payouts.service.ports import Accepted, ProviderPayment
from services.payouts.service.recovery import recover_once
from shared.messaging.contracts import PayoutPaidV1
from shared.money import Money

from .conftest import World, command, wrap
from .helpers import attempts, event, expire_leases, payouts, post


async def test_concurrent_deliveries_of_one_request_make_one_payout(world: World) -> None:
    request = command()
    await asyncio.gather(*(world.request(request, wrap(request)) for _ in range(5)))
    assert len(await payouts(world)) == 1
    assert len(await world.sql("SELECT 1 FROM payout_status_history")) == 2


async def test_concurrent_dispatchers_send_each_payout_once(world: World) -> None:
    for _ in range(6):
        await world.request(command())
    sent = await asyncio.gather(*(dispatch_once(world.deps) for _ in range(4)))
    assert sum(sent) == 6
    rows = await attempts(world)
    assert len(rows) == 6 and {a.status for a in rows} == {"submitted"}
    assert sorted(e["endToEndId"] for e in await world.ledger()) == sorted(a.id for a in rows)


async def test_dispatcher_answer_and_recovery_and_callback_race_to_one_paid(
    world: World,
) -> None:
    await world.request(command())
    [claimed] = await claim_attempts(world.deps)
    e2e = claimed.instruction.end_to_end_id
    await world.deps.rails[claimed.rail].send(claimed.instruction)
    await world.sandbox.store.complete_all_pending(world.sandbox.clock.now())
    completed = Accepted(ProviderPayment(e2e, "CNC-1", Observation.COMPLETED,
                                         Money.of("125.00")), created=False)
    await expire_leases(world)

    await asyncio.gather(
        record_send_result(world.deps, claimed.payout_id, e2e, completed, actor="dispatcher"),
        recover_once(world.deps),
        post(world, event(e2e)),  # the provider's signed callback
        record_send_result(world.deps, claimed.payout_id, e2e, completed, actor="dispatcher"),
    )
    assert [p.status for p in await payouts(world)] == ["paid"]
    assert len(await world.outbox(PayoutPaidV1.TYPE)) == 1
    assert len(await world.ledger()) == 1


async def test_a_payout_another_dispatcher_just_took_is_not_taken_again(world: World) -> None:
    # The interleaving four concurrent dispatchers once hit: dispatcher B's scan ran on a
    # snapshot taken before dispatcher A committed the payout's attempt, and B then locked the
    # payout, A's lock being gone. Here B's insert is played directly, after A's commit.
    await world.request(command())
    [taken] = await claim_attempts(world.deps)  # dispatcher A
    async with world.deps.uow() as uow:  # dispatcher B, late
        repo = uow.payouts
        again = NewAttempt(new_end_to_end_id(), taken.payout_id, taken.rail.value,
                           taken.instruction.amount.amount)
        created = await repo.create_attempts([again], lease_until=world.deps.clock(),
                                             now=world.deps.clock())
        await uow.commit()
    assert created == set()
    assert [a.id for a in await attempts(world)] == [taken.instruction.end_to_end_id]
