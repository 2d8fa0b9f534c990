"""The consumer acks after the handler, retries with delay, parks what it cannot process, and the
inbox makes a redelivered message a no-op."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.messaging.consumer import Consumer, Handler, PermanentError
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import first_delivery
from shared.messaging.publisher import Publisher
from shared.messaging.topology import named, parking_queue
from tests.integration.messaging.conftest import RETRY_DELAYS_MS, Broker
from tests.integration.messaging.test_outbox_relay import request_payout
from tests.signing import signer, verifier

QUEUE = "payouts.commands"


async def start(broker: Broker, handler: Handler) -> Consumer:
    consumer = Consumer(
        broker.connection, broker.namespace, QUEUE, handler, verifier=verifier(),
        prefetch=4, retry_delays_ms=RETRY_DELAYS_MS,
    )
    await consumer.start()
    return consumer


async def send(broker: Broker, envelope: Envelope, as_service: str | None = "claims") -> None:
    """Publish as ``as_service`` (signed with its key), or unsigned (None)."""
    publisher = await Publisher.open(broker.connection, broker.namespace,
                                     signer(as_service) if as_service else None)
    await publisher.publish(envelope)
    await publisher.close()


async def parked(broker: Broker, timeout: float = 5) -> AbstractIncomingMessage:
    channel = await broker.connection.channel()
    queue = await channel.get_queue(parking_queue(named(broker.namespace, QUEUE)))
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        message = await queue.get(fail=False)
        if message is not None:
            await message.ack()
            return message
        assert asyncio.get_running_loop().time() < deadline, "nothing was parked"
        await asyncio.sleep(0.05)


async def wait_for(predicate: object, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def envelope() -> Envelope:
    return Envelope.wrap(request_payout(), producer="claims", correlation_id="flow-1")


async def test_transient_failure_is_retried_after_a_delay_then_acked(broker: Broker) -> None:
    calls: list[float] = []

    async def flaky(env: Envelope) -> None:
        calls.append(asyncio.get_running_loop().time())
        if len(calls) == 1:
            raise ConnectionError("database blinked")

    consumer = await start(broker, flaky)
    await send(broker, envelope())
    await wait_for(lambda: len(calls) == 2)
    await consumer.stop()
    assert calls[1] - calls[0] >= RETRY_DELAYS_MS[0] / 1000 * 0.9


async def test_retries_are_bounded_then_the_message_is_parked(broker: Broker) -> None:
    calls = Counter[str]()

    async def always_fails(env: Envelope) -> None:
        calls[str(env.message_id)] += 1
        raise RuntimeError("bug in handler")

    consumer = await start(broker, always_fails)
    sent = envelope()
    await send(broker, sent)
    message = await parked(broker)
    await consumer.stop()
    assert calls[str(sent.message_id)] == len(RETRY_DELAYS_MS) + 1
    assert message.message_id == str(sent.message_id)
    assert "retries exhausted" in str((message.headers or {})["x-parked-reason"])


async def test_permanent_error_is_parked_at_once(broker: Broker) -> None:
    calls: list[Envelope] = []

    async def refuses(env: Envelope) -> None:
        calls.append(env)
        raise PermanentError("unknown claim")

    consumer = await start(broker, refuses)
    await send(broker, envelope())
    message = await parked(broker)
    await consumer.stop()
    assert len(calls) == 1
    assert "unknown claim" in str((message.headers or {})["x-parked-reason"])


async def test_undecodable_message_is_parked_without_calling_the_handler(broker: Broker) -> None:
    calls: list[Envelope] = []

    async def handler(env: Envelope) -> None:
        calls.append(env)

    consumer = await start(broker, handler)
    channel = await broker.connection.channel()
    exchange = await channel.get_exchange(named(broker.namespace, "payouts"))
    body = b'{"type": "payouts.request_payout", "version": 1}'
    signed: dict[str, Any] = {**signer("claims").headers(body)}
    await exchange.publish(aio_pika.Message(body, headers=signed),
                           routing_key="payouts.payout.request")
    message = await parked(broker)
    await consumer.stop()
    assert calls == []
    assert "undecodable" in str((message.headers or {})["x-parked-reason"])


async def test_inbox_turns_a_redelivery_into_a_no_op(
    broker: Broker, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    effects: list[uuid.UUID] = []
    consumer_name = f"test-{uuid.uuid4().hex[:6]}"

    async def handler(env: Envelope) -> None:
        async with sessionmaker() as session, session.begin():
            if not await first_delivery(session, consumer_name, env):
                return
            await session.execute(text("SELECT 1"))
            effects.append(env.message_id)

    consumer = await start(broker, handler)
    sent = envelope()
    await send(broker, sent)
    await send(broker, sent)  # the same message id again (a redelivery or a re-publish)
    await wait_for(lambda: len(effects) >= 1)
    await asyncio.sleep(0.3)
    await consumer.stop()
    assert effects == [sent.message_id]


@pytest.mark.parametrize(("as_service", "producer", "refusal"), [
    (None, "claims", "unsigned"),  # anyone who can reach the broker, signing nothing
    ("billing", "claims", "wrong_producer"),  # billing's key, claiming to be claims
    ("payouts", "payouts", "not_owner"),  # payouts sending claims' command as itself
])
async def test_a_message_not_signed_by_its_contracts_owner_is_parked_and_counted(
    broker: Broker, as_service: str | None, producer: str, refusal: str
) -> None:
    calls: list[Envelope] = []

    async def handler(env: Envelope) -> None:
        calls.append(env)

    def refused() -> float:
        return REGISTRY.get_sample_value(
            "messages_refused_total",
            {"queue": named(broker.namespace, QUEUE), "reason": refusal}) or 0.0

    before = refused()
    consumer = await start(broker, handler)
    forged = Envelope.wrap(request_payout(), producer=producer, correlation_id="forged")
    await send(broker, forged, as_service=as_service)
    message = await parked(broker)
    await consumer.stop()
    assert calls == []
    assert message.message_id == str(forged.message_id)
    assert f"not authentic: {refusal}" in str((message.headers or {})["x-parked-reason"])
    assert refused() == before + 1


async def test_a_tampered_body_is_refused(broker: Broker) -> None:
    calls: list[Envelope] = []

    async def handler(env: Envelope) -> None:
        calls.append(env)

    consumer = await start(broker, handler)
    body = envelope().to_bytes()
    headers: dict[str, Any] = {**signer("claims").headers(body)}
    channel = await broker.connection.channel()
    exchange = await channel.get_exchange(named(broker.namespace, "payouts"))
    await exchange.publish(aio_pika.Message(body.replace(b"125.00", b"9999.00"), headers=headers),
                           routing_key="payouts.payout.request")
    message = await parked(broker)
    await consumer.stop()
    assert calls == []
    assert "bad_signature" in str((message.headers or {})["x-parked-reason"])
