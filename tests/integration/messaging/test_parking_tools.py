"""Operators can list, inspect and replay parked messages; replay loses nothing."""

from __future__ import annotations

from ops.parking import inspect_parked, list_parking, replay_parked
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.messaging.topology import named, parking_queue
from tests.integration.messaging.conftest import Broker
from tests.integration.messaging.test_outbox_relay import request_payout
from tests.signing import signer, verifier

QUEUE = "payouts.commands"


async def park(broker: Broker, reason: str) -> Envelope:
    envelope = Envelope.wrap(request_payout(), producer="claims", correlation_id="flow-9")
    publisher = await Publisher.open(broker.connection, broker.namespace)
    body = envelope.to_bytes()
    await publisher.requeue(
        parking_queue(QUEUE), body,
        message_id=str(envelope.message_id), message_type=envelope.type,
        correlation_id=envelope.correlation_id,
        headers={"x-parked-reason": reason, "x-retry-count": 3,
                 **signer("claims").headers(body)},
    )
    await publisher.close()
    return envelope


async def count(broker: Broker, queue: str) -> int:
    channel = await broker.connection.channel()
    declared = await channel.declare_queue(queue, passive=True)
    await channel.close()
    return declared.declaration_result.message_count or 0


async def test_list_inspect_and_replay(broker: Broker) -> None:
    first = await park(broker, "retries exhausted: ConnectionError()")
    second = await park(broker, "permanent: unknown claim")

    listed = {q.queue: q.parked for q in await list_parking(broker.connection, broker.namespace)}
    assert listed[named(broker.namespace, QUEUE)] == 2

    seen = await inspect_parked(broker.connection, broker.namespace, QUEUE, limit=10)
    assert [m["reason"] for m in seen] == ["retries exhausted: ConnectionError()",
                                           "permanent: unknown claim"]
    assert seen[0]["correlation_id"] == "flow-9" and seen[0]["retries"] == 3
    assert await count(broker, parking_queue(named(broker.namespace, QUEUE))) == 2  # still there

    only = await replay_parked(broker.connection, broker.namespace, QUEUE, limit=100,
                               message_id=str(second.message_id))
    assert only == [str(second.message_id)]
    rest = await replay_parked(broker.connection, broker.namespace, QUEUE, limit=100)
    assert rest == [str(first.message_id)]
    assert await count(broker, parking_queue(named(broker.namespace, QUEUE))) == 0
    assert await count(broker, named(broker.namespace, QUEUE)) == 2
    # The replayed copies still carry their producer's signature: the consumer will take them.
    channel = await broker.connection.channel()
    queue = await channel.get_queue(named(broker.namespace, QUEUE))
    for _ in range(2):
        message = await queue.get()
        assert verifier().check(message.body, message.headers or {}).producer == "claims"
        await message.ack()
    await channel.close()
