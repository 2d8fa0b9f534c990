"""A payout no provider holds may be cancelled, even after a send that never reached the
provider; once the provider may hold it, only its answer (or the rail's own way out) ends it."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from services.payouts.service.dispatch import claim_attempts, dispatch_once, send_claimed
from services.payouts.service.recovery import recover_once
from shared.messaging.contracts import PayoutCancelledV1
from shared.messaging.contracts import Rail as R
from shared.problems import PROBLEM_JSON

from .conftest import World, command, customer_by_check
from .helpers import attempts, event, expire_leases, payouts, post
from .test_operations import act, only_payout


async def provider_down(world: World) -> None:
    """Every try of every create call answers 503 (the sandbox records nothing)."""
    await world.faults(fail_next=1000)


async def provider_up(world: World) -> None:
    await world.faults()
    await expire_leases(world)  # the unsent attempts' backoff is over


@pytest.mark.parametrize("rail", [R.CONCOURSE, R.CHECK], ids=["concourse", "check"])
async def test_provider_down_then_cancel_and_the_dispatcher_never_sends_it(
    world: World, rail: R,
) -> None:
    await provider_down(world)
    payee = customer_by_check() if rail is R.CHECK else None
    await world.request(command(rail=rail, payee=payee))
    assert await dispatch_once(world.deps) == 1
    payout = await only_payout(world)
    assert payout.status == "approved"
    [attempt] = await attempts(world)
    assert attempt.status == "unsent"

    response = await act(world, payout.id, "cancel", role="ops")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert [a["status"] for a in response.json()["attempts"]] == ["cancelled"]
    [cancelled] = await world.outbox(PayoutCancelledV1.TYPE)
    assert cancelled["final_status"] == "cancelled"

    await provider_up(world)
    assert await dispatch_once(world.deps) == 0
    assert await recover_once(world.deps) == 0
    assert await world.ledger() == []
    assert [a.status for a in await attempts(world)] == ["cancelled"]


async def test_an_unsent_attempt_is_sent_again_with_its_id_after_its_backoff(
    world: World,
) -> None:
    await world.faults(fail_next=world.settings.provider_retries + 1)  # one send's every try
    await world.request(command())
    assert await dispatch_once(world.deps) == 1
    [unsent] = await attempts(world)
    assert unsent.status == "unsent"
    assert await dispatch_once(world.deps) == 0  # still in its backoff

    await expire_leases(world)
    assert await dispatch_once(world.deps) == 1
    [sent] = await attempts(world)
    assert (sent.id, sent.status, sent.sends) == (unsent.id, "submitted", 2)
    assert [e["endToEndId"] for e in await world.ledger()] == [unsent.id]


async def test_unknown_outcome_cannot_be_cancelled(world: World) -> None:
    # The provider records the payment, then answers after our timeout: it may hold it.
    await world.faults(respond_delay_ms=int(world.settings.provider_timeout_s * 2000),
                       respond_delay_next=1)
    await world.request(command())
    await dispatch_once(world.deps)
    payout = await only_payout(world)
    assert payout.status == "unknown"

    response = await act(world, payout.id, "cancel", role="ops")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"] == "urn:warranty:problem:action-not-allowed"
    assert "status query" in problem["detail"]
    assert await world.outbox(PayoutCancelledV1.TYPE) == []
    assert [p.status for p in await payouts(world)] == ["unknown"]


async def test_cancel_after_a_dispatcher_took_the_unsent_attempt_is_refused(
    world: World,
) -> None:
    await provider_down(world)
    await world.request(command())
    await dispatch_once(world.deps)
    await provider_up(world)
    [taken] = await claim_attempts(world.deps)  # the dispatcher committed it as sending

    response = await act(world, taken.payout_id, "cancel", role="ops")
    assert response.status_code == 409
    assert "status query" in response.json()["detail"]
    await send_claimed(world.deps, taken)
    assert [p.status for p in await payouts(world)] == ["submitted"]
    assert len(await world.ledger()) == 1


async def test_cancel_racing_dispatchers_either_cancels_or_sends_never_both(
    world: World,
) -> None:
    await provider_down(world)
    for _ in range(6):
        await world.request(command())
    assert await dispatch_once(world.deps) == 6
    await provider_up(world)
    ids = [p.id for p in await payouts(world)]

    results = await asyncio.gather(
        *(act(world, payout_id, "cancel", role="ops") for payout_id in ids),
        *(dispatch_once(world.deps) for _ in range(3)),
    )
    answers = dict(zip(ids, results[:len(ids)], strict=True))
    await world.sandbox.settler.idle()
    ledger = await world.ledger()
    sent = {e["endToEndId"] for e in ledger}
    # A cancel that comes after a dispatcher sent the payment asks the bank to cancel the
    # still unclaimed invitation: the bank has it, but no money ever reached the payee.
    paid = {e["endToEndId"] for e in ledger if e["settled"]}
    rows = await world.sql("SELECT p.id, p.status, a.id AS attempt, a.status AS attempt_status "
                           "FROM payouts p JOIN payout_attempts a ON a.payout_id = p.id")
    for row in rows:
        if answers[row.id].status_code == 200:
            assert (row.status, row.attempt_status) == ("cancelled", "cancelled")
            assert row.attempt not in paid
            if row.attempt in sent:  # it reached the bank: the bank cancelled it
                assert {e["status"] for e in ledger if e["endToEndId"] == row.attempt} == {
                    "CANCELLED"}
        else:
            assert answers[row.id].status_code == 409, answers[row.id].text
            assert row.status == "submitted" and row.attempt in sent
    assert len(rows) == len(ids)  # one attempt each: never a second id for one payout
    cancelled = sum(1 for answer in answers.values() if answer.status_code == 200)
    assert len(await world.outbox(PayoutCancelledV1.TYPE)) == cancelled


async def test_a_completion_reported_on_a_withdrawn_attempt_is_flagged_not_applied(
    world: World,
) -> None:
    """Should a 503 have been taken after all, the provider's later word that it paid neither
    revives the cancelled payout nor passes unseen: it is counted for an operator."""
    await provider_down(world)
    await world.request(command())
    await dispatch_once(world.deps)
    payout = await only_payout(world)
    assert (await act(world, payout.id, "cancel", role="ops")).status_code == 200
    [withdrawn] = await attempts(world)
    before = REGISTRY.get_sample_value("payouts_provider_contradictions_total",
                                       {"rail": "concourse", "attempt_status": "cancelled"})

    answer = await post(world, event(withdrawn.id, "COMPLETED"))
    assert answer.status_code in (200, 202, 204), answer.text

    after = REGISTRY.get_sample_value("payouts_provider_contradictions_total",
                                      {"rail": "concourse", "attempt_status": "cancelled"})
    assert (after or 0) - (before or 0) == 1
    assert (await only_payout(world)).status == "cancelled"
    assert [a.status for a in await attempts(world)] == ["cancelled"]
