"""Approvals by rule and the operator actions, each only where the rail and status allow it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from services.payouts.service.dispatch import dispatch_once
from shared.messaging.contracts import PayoutCancelledV1, PayoutDecidedV1
from shared.messaging.contracts import Rail as R

from .conftest import World, command, customer_by_check, pro
from .helpers import attempts, history, payouts


async def act(world: World, payout_id: object, action: str, who: str = "payables-pat",
              role: str = "payables", **body: object) -> httpx.Response:
    """Each call is a new intent: a fresh Idempotency-Key."""
    headers = {**world.token(role, subject=who), "Idempotency-Key": str(uuid.uuid4())}
    return await world.api.post(f"/v1/payouts/{payout_id}/{action}", headers=headers,
                                json={"reason": "operator decision", **body})


async def only_payout(world: World) -> Any:
    [payout] = await payouts(world)
    return payout


async def test_amount_over_threshold_waits_for_an_approver_who_is_not_the_requester(
    world: World,
) -> None:
    await world.request(command(amount="10000.01"))
    payout = await only_payout(world)
    assert payout.status == "pending_approval"
    assert await dispatch_once(world.deps) == 0

    own = await act(world, payout.id, "approve", who="ss-approver-1")
    assert own.status_code == 403
    assert own.json()["type"] == "urn:warranty:problem:self-approval"
    ops = await act(world, payout.id, "approve", role="ops")
    assert ops.status_code == 403  # only payables approves

    ok = await act(world, payout.id, "approve")
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "approved" and body["decided_by"] == "payables-pat"
    assert body["approval_reasons"] == ["amount 10000.01 is over the approval threshold 10000.00"]
    assert (await act(world, payout.id, "approve")).status_code == 409
    assert await dispatch_once(world.deps) == 1
    # Announced once, naming the approver (the claim's timeline shows who released it).
    [released] = await world.outbox(PayoutDecidedV1.TYPE)
    assert (released["decision"], released["decided_by"]) == ("released", "payables-pat")
    assert released["payout_id"] == str(payout.id) and released["decided_at"]
    assert released["reason"] == "operator decision"


async def test_an_actions_answer_shows_the_history_entry_it_added(world: World) -> None:
    # The entry is written from the payout's recorded transition before the answer is read
    # back in the same transaction, and a repeat of the key replays that same answer.
    await world.request(command(amount="10000.01"))
    payout = await only_payout(world)
    headers = {**world.token("payables", subject="payables-pat"),
               "Idempotency-Key": str(uuid.uuid4())}

    def approve() -> Any:
        return world.api.post(f"/v1/payouts/{payout.id}/approve", headers=headers,
                              json={"reason": "operator decision"})

    first = await approve()
    again = await approve()
    assert first.status_code == again.status_code == 200
    last = first.json()["history"][-1]
    assert (last["from_status"], last["to_status"], last["actor"]) == (
        "pending_approval", "approved", "payables-pat")
    assert last["reason"] == "approve by payables-pat: operator decision"
    assert again.json() == first.json()


async def test_rejection_ends_the_payout_rejected_with_the_reason_and_announces_it(
    world: World,
) -> None:
    await world.request(command(amount="20000.00"))
    payout = await only_payout(world)
    response = await act(world, payout.id, "reject",
                         reason="duplicate of an earlier claim")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    [cancelled] = await world.outbox(PayoutCancelledV1.TYPE)
    assert cancelled["final_status"] == "rejected"
    assert "duplicate of an earlier claim" in cancelled["reason"]
    [rejected] = await world.outbox(PayoutDecidedV1.TYPE)
    assert (rejected["decision"], rejected["decided_by"]) == ("rejected", "payables-pat")
    assert rejected["reason"] == "duplicate of an earlier claim"
    # The decision first, then the payout's end.
    types = [r.type for r in await world.sql("SELECT type FROM outbox ORDER BY id")]
    assert types == [PayoutDecidedV1.TYPE, PayoutCancelledV1.TYPE]


async def test_first_payout_and_changed_details_rules(world: World) -> None:
    world.deps.settings = world.settings.model_copy(update={
        "approval_first_payout": True, "approval_payee_changed_days": 30})
    world.app.state.context.settings = world.deps.settings
    try:
        await world.request(command(email="new.payee@gmail.com"))
        await world.request(command(email="new.payee@gmail.com"))  # known, same details
        await world.request(command(email="changed.payee@gmail.com"))  # same person, new email
    finally:
        world.deps.settings = world.settings
    rows = await world.sql("SELECT status, approval_reasons FROM payouts ORDER BY created_at")
    assert [(r.status, r.approval_reasons) for r in rows] == [
        ("pending_approval", ["first payout to this payee"]),
        ("approved", None),
        ("pending_approval", ["the payee's payment details changed recently"]),
    ]


async def test_cancel_before_sending_and_refused_once_a_provider_holds_it(world: World) -> None:
    await world.request(command(rail=R.ZELLE, payee=pro()))
    payout = await only_payout(world)
    await world.request(command())  # Concourse: the sandbox holds its settlement
    ok = await act(world, payout.id, "cancel", role="ops")
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
    assert await dispatch_once(world.deps) == 1  # only the other one

    [_, other] = sorted(await payouts(world), key=lambda p: p.status)
    assert other.status == "submitted"
    assert (await act(world, other.id, "void")).status_code == 409  # not a check



async def test_void_before_mailing_stop_after_and_stop_with_reissue(world: World) -> None:
    await world.request(command(rail=R.CHECK, payee=customer_by_check("Voided Payee")))
    await dispatch_once(world.deps)
    voided = await only_payout(world)
    assert (await act(world, voided.id, "stop")).status_code == 409
    response = await act(world, voided.id, "void")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["attempts"][0]["status"] == "cancelled"

    await world.request(command(rail=R.CHECK, payee=customer_by_check("Stopped Payee")))
    await dispatch_once(world.deps)
    await world.advance(2)  # mailed
    [mailed] = [p for p in await payouts(world) if p.status == "submitted"]
    assert (await act(world, mailed.id, "void")).status_code == 409
    response = await act(world, mailed.id, "stop", reissue=True)
    assert response.status_code == 200 and response.json()["status"] == "approved"
    # The operator's stop is recorded like the 14-day rule's, so it is renewed before it lapses.
    [stopped] = await world.sql("SELECT stop_id, stop_expires_on FROM check_issues "
                                "WHERE stop_id IS NOT NULL")
    assert stopped.stop_id and stopped.stop_expires_on
    # The provider's STOPPED callback waited on the payout's lock during the stop; once it has
    # landed, the reissued check is not skipped as locked by the dispatcher's one pass.
    await world.sandbox.settler.idle()
    assert await dispatch_once(world.deps) == 1
    await world.advance(10)
    # Cashed: the printer's events never pay it, the bank's paid-items report does.
    [row] = await world.sql("SELECT status FROM payouts WHERE id = :i", i=mailed.id)
    assert row.status == "submitted"
    assert await world.bank_pass() == 1
    [row] = await world.sql("SELECT status FROM payouts WHERE id = :i", i=mailed.id)
    assert row.status == "paid"
    ledger = [e for e in await world.ledger() if e["payeeName"] == "Stopped Payee"]
    assert [e["status"] for e in ledger] == ["STOPPED", "CASHED"]
    assert len(await attempts(world)) == 3
    assert ("submitted", "approved", "reissue") in await history(world)
