"""Operator actions on a Concourse invitation the payee has not claimed: resend it, or cancel
the payment at the bank; both only while the bank says it is unclaimed (409 otherwise)."""

from __future__ import annotations

from typing import Any

from services.payouts.service.dispatch import dispatch_once
from shared.messaging.contracts import PayoutCancelledV1
from shared.messaging.contracts import Rail as R

from .conftest import World, command, customer_by_check
from .helpers import attempts
from .test_operations import act, only_payout


async def invited(world: World, **behaviour: Any) -> Any:
    """A Concourse payout the bank holds, its invitation out and unclaimed."""
    if behaviour:
        await world.payee(identifier="jane.doe@gmail.com", **behaviour)
    else:
        await world.faults()  # the payee would register at once: hold them back
    await world.request(command())
    assert await dispatch_once(world.deps) == 1
    payout = await only_payout(world)
    assert payout.status == "submitted"
    return payout


async def bank_status(world: World) -> str:
    [entry] = await world.ledger()
    status: str = entry["status"]
    return status


async def test_cancel_while_unclaimed_cancels_the_payment_at_the_bank(world: World) -> None:
    payout = await invited(world)

    response = await act(world, payout.id, "cancel", role="ops")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled" and body["attempts"][0]["status"] == "cancelled"
    assert await bank_status(world) == "CANCELLED"
    [cancelled] = await world.outbox(PayoutCancelledV1.TYPE)
    assert cancelled["payout_id"] == str(payout.id)
    # Never paid afterwards: the payee cannot register, and no fallback check is started.
    await world.sandbox_http.post("/sandbox/release")
    await world.settle()
    assert await dispatch_once(world.deps) == 0
    assert len(await attempts(world)) == 1
    assert not any(e["settled"] for e in await world.ledger())


async def test_cancel_after_the_payee_registered_is_a_409_and_changes_nothing(
    world: World,
) -> None:
    payout = await invited(world)
    [attempt] = await attempts(world)
    await world.sandbox.store.register(attempt.id, "ACH")  # our callback has not come yet

    refused = await act(world, payout.id, "cancel", role="ops")

    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "urn:warranty:problem:action-not-allowed"
    assert "10008" in refused.json()["detail"]
    assert (await only_payout(world)).status == "submitted"
    assert await bank_status(world) == "REGISTERED"
    assert await world.outbox(PayoutCancelledV1.TYPE) == []


async def test_resend_restarts_the_unclaimed_clock_at_the_bank(world: World) -> None:
    payout = await invited(world, concourse="never_register")
    await world.advance(5)

    response = await act(world, payout.id, "resend-invitation", role="ops",
                         who="ops-olga")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"
    await world.advance(5)  # 10 days since the first email, 5 since the second: not expired
    assert await bank_status(world) == "INVITED"
    assert (await only_payout(world)).status == "submitted"
    await world.advance(2)
    assert await bank_status(world) == "INVITATION_EXPIRED"


async def test_resend_is_refused_where_there_is_no_unclaimed_invitation(world: World) -> None:
    payout = await invited(world)
    [attempt] = await attempts(world)
    await world.sandbox.store.register(attempt.id, "ACH")
    registered = await act(world, payout.id, "resend-invitation")
    assert registered.status_code == 409 and "10008" in registered.json()["detail"]

    await world.request(command(rail=R.CHECK, payee=customer_by_check("Check Payee")))
    await dispatch_once(world.deps)
    [check] = [p for p in await _payouts_by_rail(world, "check")]
    not_concourse = await act(world, check.id, "resend-invitation")
    assert not_concourse.status_code == 409
    assert "only a Concourse payout" in not_concourse.json()["detail"]

    await world.request(command(amount="10000.01"))  # held for approval: nothing sent yet
    [held] = [p for p in await _payouts_by_rail(world, "concourse")
              if p.status == "pending_approval"]
    unsent = await act(world, held.id, "resend-invitation")
    assert unsent.status_code == 409 and "no Concourse invitation" in unsent.json()["detail"]


async def test_only_ops_and_payables_may_resend(world: World) -> None:
    payout = await invited(world)
    for role in ("agent", "support_services"):
        response = await act(world, payout.id, "resend-invitation", role=role)
        assert response.status_code == 403, (role, response.text)
    assert (await act(world, payout.id, "resend-invitation", role="payables")).status_code == 200


async def _payouts_by_rail(world: World, rail: str) -> list[Any]:
    return await world.sql("SELECT id, status FROM payouts WHERE rail = :r", r=rail)
