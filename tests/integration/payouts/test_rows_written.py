"""The rows the money path writes with its own statements (Core, CTEs), checked in the
database: a new payout with its history, attempt numbers, a status change mixed with an
operator's ORM change, and a callback naming an attempt of another rail."""

from __future__ import annotations

from services.payouts.service.dispatch import claim_attempts, dispatch_once

from .conftest import World, command
from .helpers import JPM_URL, jpm_callback, post
from .test_operations import act, only_payout


async def test_a_request_stores_the_whole_payout_and_its_two_history_entries(
    world: World,
) -> None:
    request = command(email="Jane.Doe@Gmail.com")
    await world.request(request)

    [row] = await world.sql(
        "SELECT id, status, status_reason, rail, requested_rail, claim_id, payee_key, "
        "approval_reasons, deadline_at, reissue_on_cancel, decided_by, created_at, updated_at "
        "FROM payouts")
    assert (row.status, row.status_reason, row.rail, row.requested_rail) == (
        "approved", None, "concourse", "concourse")
    assert (row.claim_id, row.payee_key) == (request.source.claim_id, "jane.doe@gmail.com")
    assert (row.approval_reasons, row.deadline_at, row.reissue_on_cancel, row.decided_by) == (
        None, None, False, None)
    assert row.updated_at == row.created_at
    entries = await world.sql(
        "SELECT payout_id, from_status, to_status, action, reason, attempt_id, actor, "
        "occurred_at FROM payout_status_history ORDER BY id")
    assert [tuple(e) for e in entries] == [
        (row.id, None, "received", "receive", None, None, request.requested_by, row.created_at),
        (row.id, "received", "approved", "approve_automatically", None, None, "payouts",
         row.created_at),
    ]


async def test_attempts_in_one_batch_are_each_numbered_after_their_payouts_last(
    world: World,
) -> None:
    await world.request(command())
    await world.request(command())
    first, second = await world.sql("SELECT id FROM payouts ORDER BY created_at")
    # An attempt that ended before (as after a rejection that fell back): the next is number 2.
    await world.sql(
        "INSERT INTO payout_attempts (id, payout_id, number, rail, amount, status, lease_until, "
        "created_at, updated_at) VALUES ('OLDATTEMPT000001', :id, 1, 'concourse', 125.00, "
        "'failed', now(), now(), now())", id=first.id)

    claimed = await claim_attempts(world.deps)

    assert {c.payout_id for c in claimed} == {first.id, second.id}
    rows = await world.sql("SELECT payout_id, number, status, sends, checks, amount "
                           "FROM payout_attempts WHERE id <> 'OLDATTEMPT000001'")
    numbers = {r.payout_id: (r.number, r.status, r.sends, r.checks, str(r.amount)) for r in rows}
    assert numbers == {first.id: (2, "sending", 1, 0, "125.00"),
                       second.id: (1, "sending", 1, 0, "125.00")}


async def test_an_approval_stores_its_decider_and_the_status_change_together(
    world: World,
) -> None:
    await world.request(command(amount="10000.01"))
    payout = await only_payout(world)

    assert (await act(world, payout.id, "approve")).status_code == 200

    [row] = await world.sql("SELECT status, status_reason, decided_by, approval_reasons "
                            "FROM payouts")
    assert (row.status, row.decided_by) == ("approved", "payables-pat")
    assert row.status_reason == "approve by payables-pat: operator decision"
    assert row.approval_reasons == ["amount 10000.01 is over the approval threshold 10000.00"]
    last = (await world.sql("SELECT from_status, to_status, actor FROM payout_status_history "
                            "ORDER BY id"))[-1]
    assert tuple(last) == ("pending_approval", "approved", "payables-pat")
    assert await dispatch_once(world.deps) == 1


async def test_a_callback_naming_an_attempt_of_another_rail_is_unknown_and_changes_nothing(
    world: World,
) -> None:
    await world.request(command())
    await dispatch_once(world.deps)
    [attempt] = await world.sql("SELECT id FROM payout_attempts")

    response = await post(world, jpm_callback(attempt.id), url=JPM_URL)

    assert response.status_code == 404
    assert [tuple(r) for r in await world.sql("SELECT status FROM payouts")] == [("submitted",)]
    assert await world.sql("SELECT 1 FROM provider_events") == []
