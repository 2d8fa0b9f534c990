"""No payout lost, none paid twice, through the real processes: duplicate commands, the payouts
worker killed between the provider call and its commit, and messages that cannot be processed."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import aio_pika
from aio_pika.abc import AbstractRobustConnection

from shared.messaging.contracts import Payee, PayeeKind, PayoutSource, Rail, RequestPayoutV1
from shared.messaging.envelope import Envelope
from shared.messaging.topology import named, parking_queue
from tests.e2e.stack import Stack
from tests.signing import signer
from warranty_client.claim_credit import ClaimCreditFlow
from warranty_client.http import expect

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, timeout_s: float = 30
) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        value = await probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def publish(connection: AbstractRobustConnection, stack: Stack, body: bytes,
                  routing_key: str = "payouts.payout.request", signed_as: str = "claims") -> None:
    """Publish ``body`` as ``signed_as`` would (its development key signs it)."""
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    exchange = await channel.get_exchange(named(stack.env["MQ_NAMESPACE"], "payouts"))
    await exchange.publish(
        aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                         headers=dict(signer(signed_as).headers(body))),
        routing_key=routing_key, mandatory=True,
    )
    await channel.close()


def request_payout(email: str, amount: str = "75.10") -> RequestPayoutV1:
    claim_id = str(uuid.uuid4())
    return RequestPayoutV1(
        payout_key=f"claim:{claim_id}:claim_credit",
        source=PayoutSource(claim_id=claim_id, kind="claim_credit"),
        amount=Decimal(amount), rail=Rail.CONCOURSE,
        payee=Payee(kind=PayeeKind.CUSTOMER, name="Jane Doe", email=email),
        requested_by="support-sam",
    )


async def test_the_same_request_payout_delivered_twice_pays_once(
    stack: Stack, broker: AbstractRobustConnection, flow: ClaimCreditFlow
) -> None:
    command = request_payout(flow.email)
    envelope = Envelope.wrap(command, producer="claims", correlation_id="dup-test")
    resent = Envelope.wrap(command, producer="claims", correlation_id="dup-test")  # new id
    for body in (envelope.to_bytes(), envelope.to_bytes(), resent.to_bytes()):
        await publish(broker, stack, body)

    async def paid() -> list[dict[str, Any]] | None:
        payouts = await flow.payouts(command.payout_key)
        return payouts if payouts and payouts[0]["status"] == "paid" else None

    payouts = await eventually(paid, "the payout to be paid")
    await asyncio.sleep(1.5)  # time for any second payment to show up, if there were one
    assert len(await flow.payouts(command.payout_key)) == 1
    [entry] = await flow.ledger_entries()
    assert Decimal(entry["amount"]) == Decimal("75.10")
    assert payouts[0]["status"] == "paid"


async def test_worker_killed_between_provider_call_and_commit_still_pays_once(
    stack: Stack, flow: ClaimCreditFlow
) -> None:
    sandbox = stack.url("sandbox")
    # The provider records the payment, then answers only after 20 s: the worker is killed
    # while it waits, so the payment exists but the worker never committed the answer.
    expect(await flow.http.put(f"{sandbox}/sandbox/faults",
                               json={"respond_delay_ms": 20000, "hold_settlement": True}), 200)
    claim = await flow.open_claim("180.00")
    expect(await flow.select_concourse(claim["id"]), 200)
    await flow.approve(claim["id"])

    async def recorded() -> list[dict[str, Any]] | None:
        return await flow.ledger_entries() or None

    await eventually(recorded, "the provider to record the payment")
    stack.kill("payouts-worker")  # SIGKILL: no cleanup, no commit
    # Answer promptly again, but keep the payment pending (no callback) so that only the
    # recovery's status query can tell the restarted worker what happened.
    expect(await flow.http.put(f"{sandbox}/sandbox/faults", json={"hold_settlement": True}), 200)
    stack.start("payouts-worker")

    # Recovery finds the attempt whose lease expired and asks the provider instead of resending.
    async def submitted() -> bool:
        ours = await flow.claim(claim["id"])
        payouts = await flow.payouts(ours["payouts"][-1]["payout_key"])
        return bool(payouts) and payouts[0]["status"] == "submitted"

    await eventually(submitted, "recovery to learn the payment was accepted")
    expect(await flow.http.post(f"{sandbox}/sandbox/release"), 200)
    paid = await flow.wait_for_claim(claim["id"], "paid", timeout_s=30)

    [entry] = await flow.ledger_entries()
    assert Decimal(entry["amount"]) == Decimal("180.00")
    [payout] = await flow.payouts(paid["payouts"][-1]["payout_key"])
    detail = expect(await flow.http.get(f"{flow.urls.payouts}/v1/payouts/{payout['id']}",
                                        headers=flow.actors.payables), 200)
    [attempt] = detail["attempts"]  # one attempt, one endToEndId: never a second instruction
    assert attempt["id"] == entry["endToEndId"]


async def test_a_message_the_handler_cannot_process_is_parked_not_looped(
    stack: Stack, broker: AbstractRobustConnection, flow: ClaimCreditFlow
) -> None:
    namespace = stack.env["MQ_NAMESPACE"]
    garbage = b'{"type": "payouts.request_payout", "version": 1, "payload": {"amount": "x"}}'
    await publish(broker, stack, garbage)

    # A well-formed command that contradicts an earlier one with the same payout key.
    first = request_payout(flow.email, "20.00")
    await publish(broker, stack, Envelope.wrap(first, producer="claims").to_bytes())
    conflicting = first.model_copy(update={"amount": Decimal("9999.00")})
    await publish(broker, stack, Envelope.wrap(conflicting, producer="claims").to_bytes())

    channel = await broker.channel()
    parking = await channel.get_queue(parking_queue(named(namespace, "payouts.commands")))
    reasons: list[str] = []

    def parked_both() -> bool:
        return (any(r.startswith("undecodable") for r in reasons)
                and any(r.startswith("permanent") for r in reasons))

    async def two_parked() -> bool:
        # Other tests park messages here too (forgeries refused as not authentic): read on
        # until both of this test's reasons have turned up.
        message = await parking.get(fail=False)
        if message is not None:
            reasons.append(str((message.headers or {}).get("x-parked-reason")))
            await message.ack()
        return parked_both()

    await eventually(two_parked, "both bad messages in the parking queue")
    main = await channel.declare_queue(named(namespace, "payouts.commands"), passive=True)
    assert main.declaration_result.message_count == 0  # nothing left cycling
    await channel.close()
