"""Asynchronous settlement, signed callbacks in Global Payments' ``{"callbacks": [...]}``
shape, retries and the fault controls, on the (modelled) Concourse wire."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings
from shared.signing import verify

from .conftest import (
    CALLBACK_URL,
    CONCOURSE,
    CONCOURSE_STATUS,
    SECRET,
    Harness,
    callback_items,
    e2e_id,
    payment_body,
)

PAYMENTS = CONCOURSE
STATUS = CONCOURSE_STATUS


async def status_of(harness: Harness, eid: str) -> str:
    response = await harness.client.get(STATUS, params={"endToEndId": eid})
    assert response.status_code == 200
    status: str = response.json()["paymentStatus"]["status"]
    return status


def deliveries_per_body(harness: Harness) -> list[int]:
    """How many times each distinct callback body was delivered, in the order first sent."""
    bodies = [r.content for r in harness.receiver.requests]
    return [bodies.count(body) for body in dict.fromkeys(bodies)]


async def set_faults(harness: Harness, **faults: Any) -> None:
    response = await harness.client.put("/sandbox/faults", json=faults)
    assert response.status_code == 200, response.text


async def test_payment_settles_and_a_signed_callback_arrives(harness: Harness) -> None:
    eid = e2e_id()
    created = (await harness.client.post(PAYMENTS, json=payment_body(eid))).json()

    await harness.sandbox.settler.idle()

    assert await status_of(harness, eid) == "COMPLETED"
    registered, paid = harness.receiver.requests
    assert str(paid.url) == CALLBACK_URL == str(registered.url)
    assert paid.headers["content-type"] == "application/json"
    # The payee registered and chose ACH, then was paid: two callbacks, in that order.
    assert [i["paymentStatus"] for i in callback_items(harness, eid)] == [
        "REGISTERED", "COMPLETED"]
    [item] = json.loads(paid.content)["callbacks"]
    assert item["firmRootId"] == created["paymentInitiationResponse"]["firmRootId"]
    assert (item["paymentAmount"], item["paymentCurrency"]) == (125.0, "USD")
    assert item["paymentMethod"] == "ACH" and "exceptions" not in item
    assert item["createDateTime"]

    timestamp = paid.headers["lob-signature-timestamp"]
    signature = paid.headers["lob-signature"]
    assert len(signature) == 64 and int(timestamp) > 10**12  # hex; Lob's milliseconds
    assert verify(SECRET, timestamp, signature, paid.content, now=time.time())
    tampered = paid.content.replace(b"125.0", b"925.0")
    assert not verify(SECRET, timestamp, signature, tampered, now=time.time())
    assert not verify("another-secret-0123456789", timestamp, signature, paid.content,
                      now=time.time())


async def test_callback_is_retried_until_the_receiver_accepts(harness: Harness) -> None:
    harness.receiver.answers = [500, httpx.ConnectError("refused"), 503]
    await harness.client.post(PAYMENTS, json=payment_body(e2e_id()))
    await harness.sandbox.settler.idle()

    # REGISTERED: refused three times, taken the fourth; COMPLETED: taken at once.
    assert deliveries_per_body(harness) == [4, 1]


async def test_callback_gives_up_after_the_configured_retries(harness: Harness) -> None:
    harness.receiver.answers = [500] * 10
    await harness.client.post(PAYMENTS, json=payment_body(e2e_id()))
    await harness.sandbox.settler.idle()

    # Each callback: the first attempt + callback_retries, then the sandbox gives up on it.
    assert deliveries_per_body(harness) == [1 + 3, 1 + 3]


async def test_fail_next_answers_503_and_records_nothing(harness: Harness) -> None:
    await set_faults(harness, fail_next=2)
    eid = e2e_id()

    for _ in range(2):
        response = await harness.client.post(PAYMENTS, json=payment_body(eid))
        assert response.status_code == 503
        error = response.json()["errors"]["errorDetails"][0]
        assert error["errorCode"] == "GCA-099"  # Global Payments' System Unavailable
        assert (await harness.client.get("/ledger")).json()["payments"] == []
    assert (await harness.client.get("/sandbox/faults")).json()["fail_next"] == 0

    assert (await harness.client.post(PAYMENTS, json=payment_body(eid))).status_code == 202


async def test_rate_limit_next_answers_429_with_retry_after(harness: Harness) -> None:
    await set_faults(harness, rate_limit_next=1)
    eid = e2e_id()

    limited = await harness.client.post(PAYMENTS, json=payment_body(eid))

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "1"
    assert (await harness.client.get("/ledger")).json()["payments"] == []
    assert (await harness.client.post(PAYMENTS, json=payment_body(eid))).status_code == 202


async def test_respond_delay_records_the_payment_before_answering(harness: Harness) -> None:
    await set_faults(harness, respond_delay_ms=3000)
    eid = e2e_id()

    slow = asyncio.create_task(harness.client.post(PAYMENTS, json=payment_body(eid)))
    ledger: list[dict[str, Any]] = []
    for _ in range(100):  # recorded in the sandbox's database, however busy the machine is
        ledger = (await harness.client.get("/ledger")).json()["payments"]
        if ledger:
            break
        await asyncio.sleep(0.02)

    # The caller is still waiting (would time out), yet the payment exists and is queryable.
    assert not slow.done()
    assert [entry["endToEndId"] for entry in ledger] == [eid]
    # (The payee may already have registered and been paid: the settle delay is 10 ms.)
    assert await status_of(harness, eid) in {"INVITED", "REGISTERED", "COMPLETED"}
    assert (await slow).status_code == 202


async def test_a_counted_respond_delay_slows_only_the_next_payments(harness: Harness) -> None:
    await set_faults(harness, respond_delay_ms=300, respond_delay_next=1)
    loop = asyncio.get_running_loop()

    started = loop.time()
    assert (await harness.client.post(PAYMENTS, json=payment_body(e2e_id()))).status_code == 202
    slowed = loop.time() - started
    started = loop.time()
    assert (await harness.client.post(PAYMENTS, json=payment_body(e2e_id()))).status_code == 202
    quick = loop.time() - started

    assert slowed >= 0.3 > quick
    assert (await harness.client.get("/sandbox/faults")).json()["respond_delay_next"] == 0


async def test_duplicate_callbacks_deliver_the_same_event_twice(harness: Harness) -> None:
    await set_faults(harness, duplicate_callbacks=True)
    await harness.client.post(PAYMENTS, json=payment_body(e2e_id()))
    await harness.sandbox.settler.idle()

    # Every callback twice, byte for byte: the receiver must see the repeat as a duplicate.
    assert deliveries_per_body(harness) == [2, 2]
    assert len(harness.receiver.requests) == 4


async def test_drop_callbacks_settles_silently(harness: Harness) -> None:
    await set_faults(harness, drop_callbacks=True)
    eid = e2e_id()
    await harness.client.post(PAYMENTS, json=payment_body(eid))
    await harness.sandbox.settler.idle()

    assert await status_of(harness, eid) == "COMPLETED"
    assert harness.receiver.requests == []


async def test_held_payments_stay_pending_until_released(harness: Harness) -> None:
    await set_faults(harness, hold_settlement=True)
    eid = e2e_id()
    await harness.client.post(PAYMENTS, json=payment_body(eid))
    await harness.sandbox.settler.idle()  # the settle delay passes

    assert await status_of(harness, eid) == "INVITED"
    assert harness.receiver.requests == []

    released = await harness.client.post("/sandbox/release")
    assert released.json() == {"released": [eid]}
    await harness.sandbox.settler.idle()

    assert await status_of(harness, eid) == "COMPLETED"
    assert [i["paymentStatus"] for i in callback_items(harness, eid)] == ["COMPLETED"]
    # Releasing again settles nothing and sends nothing twice.
    assert (await harness.client.post("/sandbox/release")).json() == {"released": []}


async def test_fault_controls_round_trip_and_reset(harness: Harness) -> None:
    await set_faults(harness, hold_settlement=True, respond_delay_ms=5)
    assert (await harness.client.get("/sandbox/faults")).json()["hold_settlement"] is True
    # A misspelt fault is refused, not silently ignored.
    typo = await harness.client.put("/sandbox/faults", json={"fail_nxt": 1})
    assert typo.status_code == 422

    cleared = (await harness.client.delete("/sandbox/faults")).json()
    assert cleared == {
        "fail_next": 0, "rate_limit_next": 0, "respond_delay_ms": 0,
        "drop_callbacks": False, "duplicate_callbacks": False, "hold_settlement": False,
        "reorder_callbacks": False, "fail_status_next": 0, "respond_delay_next": None,
    }

    await set_faults(harness, hold_settlement=True)
    await harness.client.post(PAYMENTS, json=payment_body(e2e_id()))
    assert (await harness.client.post("/sandbox/reset")).json() == {"status": "ok"}

    assert (await harness.client.get("/ledger")).json()["payments"] == []
    assert (await harness.client.get("/sandbox/faults")).json()["hold_settlement"] is False


async def test_lifespan_creates_and_closes_its_own_client(
    make_settings: Callable[..., SandboxSettings],
) -> None:
    app = create_app(make_settings())
    async with app.router.lifespan_context(app):
        client = app.state.sandbox.client()
        assert not client.is_closed
    assert client.is_closed
