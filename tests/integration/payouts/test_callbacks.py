"""Signed provider callbacks: verified, idempotent, checked against the attempt."""

from __future__ import annotations

import time

from services.payouts.service.dispatch import dispatch_once
from services.sandbox.notifications import notification_headers
from shared.messaging.contracts import PayoutFailedV1, PayoutPaidV1
from shared.signing import sign

from .conftest import SECRET, World, command
from .helpers import URL, attempts, event, payouts, post


async def submitted(world: World) -> str:
    await world.request(command())
    await dispatch_once(world.deps)
    [attempt] = await attempts(world)
    assert attempt.status == "submitted"
    return str(attempt.id)


async def test_paid_callback_twice_emits_payout_paid_once(world: World) -> None:
    e2e = await submitted(world)
    body = event(e2e)
    first, again = await post(world, body), await post(world, body)
    other_status = await post(world, event(e2e, "INVITED"))  # older news, late

    assert (first.status_code, first.json()) == (200, {"result": "applied"})
    assert (again.status_code, again.json()) == (200, {"result": "duplicate"})
    assert (other_status.status_code, other_status.json()) == (200, {"result": "ignored"})
    assert [p.status for p in await payouts(world)] == ["paid"]
    [paid] = await world.outbox(PayoutPaidV1.TYPE)
    assert paid["attempt_id"] == e2e and paid["amount"] == "125.00"


async def test_sandbox_duplicate_callbacks_end_in_one_paid_event(world: World) -> None:
    await world.faults(duplicate_callbacks=True)
    await submitted(world)
    await world.sandbox_http.post("/sandbox/release")
    await world.sandbox.settler.idle()
    assert [p.status for p in await payouts(world)] == ["paid"]
    assert len(await world.outbox(PayoutPaidV1.TYPE)) == 1


async def test_out_of_order_pending_after_completed_changes_nothing(world: World) -> None:
    e2e = await submitted(world)
    assert (await post(world, event(e2e))).json() == {"result": "applied"}
    late = await post(world, event(e2e, "PENDING"))
    assert (late.status_code, late.json()) == (200, {"result": "ignored"})
    assert [p.status for p in await payouts(world)] == ["paid"]


async def test_rejected_callback_fails_the_payout(world: World) -> None:
    e2e = await submitted(world)
    response = await post(world, event(e2e, "REJECTED", exceptions=[
        {"errorCode": "11000", "errorDescription": "insufficient funds", "externalCode": "AM04"}]))
    assert response.json() == {"result": "applied"}
    [payout] = await payouts(world)
    assert payout.status == "failed" and "AM04" in payout.status_reason
    [failed] = await world.outbox(PayoutFailedV1.TYPE)
    assert "AM04" in failed["reason"]
    # A completion after the rejection must not pay it.
    assert (await post(world, event(e2e))).json() == {"result": "ignored"}
    assert await world.outbox(PayoutPaidV1.TYPE) == []


async def test_bad_signature_is_401_and_changes_nothing(world: World) -> None:
    # Concourse is a J.P. Morgan rail: its callbacks carry the bank's notification signature
    # (every way to get it wrong: test_callback_signatures.py).
    e2e = await submitted(world)
    body, genuine = event(e2e), notification_headers(event(e2e))
    for response in (
        await world.api.post(URL, content=body, headers={
            **genuine, "Content-Type": "application/json", "Key-ID": "made-up"}),
        await world.api.post(URL, content=body, headers={  # the shared secret is not the bank's
            "Content-Type": "application/json", "Lob-Signature-Timestamp": str(int(time.time())),
            "Lob-Signature": sign(SECRET, int(time.time()), body)}),
        await world.api.post(URL, content=body,
                             headers={"Content-Type": "application/json"}),
    ):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:warranty:problem:invalid-signature"
    assert [p.status for p in await payouts(world)] == ["submitted"]


async def test_tampered_body_is_401(world: World) -> None:
    e2e = await submitted(world)
    ts = int(time.time())
    genuine = event(e2e)
    tampered = genuine.replace(b'125.0', b'9999.0')
    assert tampered != genuine
    response = await world.api.post(URL, content=tampered, headers={
        "Lob-Signature-Timestamp": str(ts), "Lob-Signature": sign(SECRET, ts, genuine),
        **notification_headers(genuine)})
    assert response.status_code == 401


async def test_unknown_end_to_end_id_is_404(world: World) -> None:
    response = await post(world, event("ZZZZZZZZZZZZZZZZ"))
    assert response.status_code == 404
    assert response.json()["type"] == "urn:warranty:problem:unknown-end-to-end-id"


async def test_amount_mismatch_is_409_and_changes_nothing(world: World) -> None:
    e2e = await submitted(world)
    response = await post(world, event(e2e, paymentAmount=1250.0))
    assert response.status_code == 409
    assert response.json()["type"] == "urn:warranty:problem:callback-mismatch"
    assert [p.status for p in await payouts(world)] == ["submitted"]
    # The event was not recorded: the provider's corrected redelivery still applies.
    assert (await post(world, event(e2e))).json() == {"result": "applied"}


async def test_malformed_but_signed_body_is_422(world: World) -> None:
    body = b'{"eventId": "x", "status": "MAYBE"}'
    response = await post(world, body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
