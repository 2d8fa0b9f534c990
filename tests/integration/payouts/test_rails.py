"""Zelle and check end to end in process: validation, fallback, return, stale reissue, and the
events each transition announces. The sandbox's clock is moved over HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.payouts.service.dispatch import dispatch_once
from shared.messaging.contracts import (
    PayoutCancelledV1,
    PayoutFailedV1,
    PayoutPaidV1,
    PayoutReturnedV1,
)
from shared.messaging.contracts import Rail as R

from .conftest import ADDRESS, World, command, customer_by_check, pro
from .helpers import attempts, history, payouts


async def send(world: World) -> None:
    assert await dispatch_once(world.deps) >= 1
    await world.settle()


def settled(ledger: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in ledger if entry["settled"]]


async def test_zelle_to_an_enrolled_pro_is_paid_the_same_day(world: World) -> None:
    await world.request(command(rail=R.ZELLE, payee=pro(), amount="180.00"))
    [payout] = await payouts(world)
    assert payout.status == "approved"
    await send(world)

    [payout] = await payouts(world)
    assert payout.status == "paid"
    [attempt] = await attempts(world)
    [paid] = await world.outbox(PayoutPaidV1.TYPE)
    assert paid["rail"] == "zelle" and paid["attempt_id"] == attempt.id
    [entry] = await world.ledger()
    assert entry["rail"] == "zelle" and entry["amount"] == "180.00" and entry["settled"]
    [row] = await world.sql("SELECT deadline_at - created_at AS promise FROM payouts")
    assert row.promise.total_seconds() == 24 * 3600


async def test_zelle_validation_refuses_bad_tokens_and_amounts_over_100000(world: World) -> None:
    await world.request(command(rail=R.ZELLE, payee=pro(email=None, mobile=None)))
    await world.request(command(rail=R.ZELLE, payee=pro(), amount="100000.01"))
    reasons = sorted(p.status_reason for p in await payouts(world))
    assert [p.status for p in await payouts(world)] == ["failed"] * 2
    assert "email or US mobile" in reasons[0] and "at most 100000.00" in reasons[1]
    assert await dispatch_once(world.deps) == 0


async def test_zelle_not_enrolled_falls_back_to_a_mailed_check_and_pays_once(
    world: World,
) -> None:
    await world.payee(identifier="pat@fixit-pros.net", zelle_enrolled=False)
    await world.request(command(rail=R.ZELLE, payee=pro(address=ADDRESS), amount="180.00"))
    await send(world)  # Zelle: accepted, then rejected BE23 -> fallback to check

    [payout] = await payouts(world)
    assert payout.status == "approved" and "BE23" in payout.status_reason
    await send(world)  # the check goes out as attempt 2
    await world.advance(15)
    await world.bank_pass()  # paid when the bank's paid-items report lists it

    [payout] = await payouts(world)
    assert payout.status == "paid"
    first, second = await attempts(world)
    assert (first.number, first.status, second.number, second.status) == (1, "failed", 2, "paid")
    ledger = await world.ledger()
    assert [(e["rail"], e["status"]) for e in ledger] == [("zelle", "REJECTED"),
                                                          ("check", "CASHED")]
    assert len(settled(ledger)) == 1
    assert await world.outbox(PayoutFailedV1.TYPE) == []  # a fallback is not a failure
    [paid] = await world.outbox(PayoutPaidV1.TYPE)
    assert paid["rail"] == "check"
    [row] = await world.sql("SELECT rail, requested_rail FROM payouts")
    assert (row.rail, row.requested_rail) == ("check", "zelle")


async def test_zelle_not_enrolled_without_an_address_fails_with_the_iso_code(
    world: World,
) -> None:
    await world.payee(identifier="pat@fixit-pros.net", zelle_enrolled=False)
    await world.request(command(rail=R.ZELLE, payee=pro()))
    await send(world)
    [payout] = await payouts(world)
    assert payout.status == "failed" and "BE23" in payout.status_reason
    [failed] = await world.outbox(PayoutFailedV1.TYPE)
    assert "BE23" in failed["reason"]


async def test_check_is_paid_when_cashed(world: World) -> None:
    await world.request(command(rail=R.CHECK, payee=customer_by_check(), amount="250.00"))
    await send(world)
    [payout] = await payouts(world)
    assert payout.status == "submitted"
    await world.advance(3)
    [attempt] = await attempts(world)
    [row] = await world.sql("SELECT provider_status FROM payout_attempts")
    assert attempt.status == "submitted" and row.provider_status == "in_transit"
    await world.advance(10)
    # The printer's delivery is not payment: only the bank's paid-items report pays it.
    assert [p.status for p in await payouts(world)] == ["submitted"]
    assert await world.bank_pass() == 1
    assert [p.status for p in await payouts(world)] == ["paid"]
    assert await world.bank_pass() == 0  # the report read again pays nothing twice


async def test_check_validation(world: World) -> None:
    await world.request(command(rail=R.CHECK, payee=pro()))  # no address
    [payout] = await payouts(world)
    assert payout.status == "failed" and "mailing address" in payout.status_reason


async def test_check_returned_to_sender_is_final_and_reported(world: World) -> None:
    await world.payee(identifier="Moved Away", check="return_to_sender")
    await world.request(command(rail=R.CHECK, payee=customer_by_check("Moved Away")))
    await send(world)
    await world.advance(10)

    [payout] = await payouts(world)
    assert payout.status == "returned"
    [returned] = await world.outbox(PayoutReturnedV1.TYPE)
    assert "returned to sender" in returned["reason"]
    # Final: the claim is reopened and pays again with a new approval, never a reissue here.
    response = await world.api.post(
        f"/v1/payouts/{payout.id}/cancel",
        headers={**world.token("payables"), "Idempotency-Key": "cancel-returned-1"},
        json={"reason": "payee moved"})
    assert response.status_code == 409, response.text
    assert await dispatch_once(world.deps) == 0  # nothing left to send
    await world.advance(10)
    assert [e["status"] for e in await world.ledger()] == ["RETURNED_TO_SENDER"]


async def test_uncashed_check_is_stopped_and_reissued_then_unclaimed_at_the_cap(
    world: World,
) -> None:
    await world.payee(identifier="Never Cashes", check="never_cash")
    await world.request(command(rail=R.CHECK, payee=customer_by_check("Never Cashes")))
    for _ in range(world.settings.check_max_issues):
        await send(world)
        await world.advance(16)
        await world.move_clock(16 * 24)  # the no-cash rule runs on the payouts clock
        assert await world.bank_pass() == 1  # stop payment placed, then reissue or give up

    [payout] = await payouts(world)
    assert payout.status == "unclaimed"
    assert payout.status_reason.startswith("unclaimed: ")
    assert "unclaimed property" in payout.status_reason
    statuses = [a.status for a in await attempts(world)]
    assert statuses == ["cancelled"] * world.settings.check_max_issues
    assert not settled(await world.ledger())
    [cancelled] = await world.outbox(PayoutCancelledV1.TYPE)
    assert cancelled["final_status"] == "unclaimed"
    actions = [h[2] for h in await history(world)]
    assert actions.count("reissue") == world.settings.check_max_issues - 1
    listed = await world.api.get("/v1/payouts", params={"status": "unclaimed"},
                                 headers=world.token("payables"))
    assert listed.status_code == 200, listed.text
    assert [p["id"] for p in listed.json()["items"]] == [str(payout.id)]


async def test_a_check_past_its_expiry_is_not_reissued_but_unclaimed(world: World) -> None:
    await world.payee(identifier="Never Cashes", check="never_cash")
    await world.request(command(rail=R.CHECK, payee=customer_by_check("Never Cashes")))
    await send(world)
    await world.advance(16)
    # Nobody stopped it for half a year (the loop was down): no reissue after that, under the
    # cap or not.
    await world.move_clock((world.settings.check_expiry_days + 1) * 24)
    assert await world.bank_pass() == 1

    [payout] = await payouts(world)
    assert payout.status == "unclaimed"
    assert [a.status for a in await attempts(world)] == ["cancelled"]
    assert "reissue" not in [h[2] for h in await history(world)]


async def test_amounts_are_exact_on_every_rail(world: World) -> None:
    await world.request(command(rail=R.ZELLE, payee=pro(), amount="0.01"))
    await world.request(command(rail=R.CHECK, payee=customer_by_check(), amount="999999.99"))
    held = [p for p in await payouts(world) if p.status == "pending_approval"]
    assert len(held) == 1  # over the approval threshold
    approved = await world.api.post(f"/v1/payouts/{held[0].id}/approve",
                                    headers={**world.token("payables", subject="payables-pat"),
                                             "Idempotency-Key": "approve-exact-1"},
                                    json={"reason": "matches the claim"})
    assert approved.status_code == 200, approved.text
    await send(world)
    await world.advance(15)
    amounts = sorted(Decimal(e["amount"]) for e in settled(await world.ledger()))
    assert amounts == [Decimal("0.01"), Decimal("999999.99")]


async def test_a_stop_payment_is_renewed_before_it_expires(world: World) -> None:
    await world.payee(identifier="Never Cashes", check="never_cash")
    await world.request(command(rail=R.CHECK, payee=customer_by_check("Never Cashes")))
    await send(world)
    await world.advance(16)
    await world.move_clock(16 * 24)
    assert await world.bank_pass() == 1  # stopped as stale, reissued
    [first] = await world.sql("SELECT attempt_id, stop_id, stop_expires_on FROM check_issues "
                              "WHERE stop_id IS NOT NULL")
    renew_days = world.settings.check_stop_renew_days
    await world.bank_pass()
    [unchanged] = await world.sql("SELECT stop_expires_on FROM check_issues "
                                  "WHERE attempt_id = :a", a=first.attempt_id)
    assert unchanged.stop_expires_on == first.stop_expires_on  # not due yet

    # Both clocks to a day inside the renewal window, before the stop lapses.
    days = 180 - renew_days + 1
    await world.advance(days)
    await world.move_clock(days * 24)
    await world.bank_pass()
    [renewed] = await world.sql("SELECT stop_id, stop_expires_on FROM check_issues "
                                "WHERE attempt_id = :a", a=first.attempt_id)
    assert renewed.stop_id == first.stop_id
    assert (renewed.stop_expires_on - first.stop_expires_on).days == days


async def concourse_falls_back_to_one_check(world: World, code: str) -> None:
    """The Concourse attempt ended unpaid with ``code``; the fallback pays once, by check."""
    [payout] = await payouts(world)
    assert payout.status == "approved" and code in payout.status_reason
    await send(world)  # the check goes out as attempt 2
    await world.advance(15)
    await world.bank_pass()  # the bank's paid-items report pays a check, not the printer
    [payout] = await payouts(world)
    assert payout.status == "paid"
    first, second = await attempts(world)
    assert (first.status, second.status) == ("failed", "paid")
    ledger = await world.ledger()
    assert [e["rail"] for e in ledger] == ["concourse", "check"]
    assert len(settled(ledger)) == 1
    assert await world.outbox(PayoutFailedV1.TYPE) == []
    [paid] = await world.outbox(PayoutPaidV1.TYPE)
    assert paid["rail"] == "check"


async def test_unclaimed_concourse_invitation_expires_and_falls_back_to_a_check(
    world: World,
) -> None:
    await world.payee(identifier="pat@fixit-pros.net", concourse="never_register")
    await world.request(command(payee=pro(address=ADDRESS)))
    await send(world)
    await world.advance(6)  # still unclaimed, still the bank's
    [payout] = await payouts(world)
    assert payout.status == "submitted"
    await world.advance(1)  # day 7: INVITATION_EXPIRED (NOAS)
    await concourse_falls_back_to_one_check(world, "NOAS")
    [entry, _] = await world.ledger()
    assert (entry["status"], entry["reasonCode"]) == ("INVITATION_EXPIRED", "NOAS")


async def test_bounced_concourse_invitation_falls_back_to_a_check(world: World) -> None:
    await world.payee(identifier="pat@fixit-pros.net", concourse="bounce")
    await world.request(command(payee=pro(address=ADDRESS)))
    await send(world)
    await world.advance(0)
    await concourse_falls_back_to_one_check(world, "BE23")
