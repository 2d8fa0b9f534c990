"""A consumer gets its subscription back when the broker drops its connection (as a broker
restart does). Regression: consuming from ``get_queue(ensure=False)`` left the robust channel
without the queue to restore, so a worker survived a RabbitMQ restart but consumed nothing."""

from __future__ import annotations

import asyncio
import subprocess
import uuid

import aio_pika

from shared.messaging.consumer import Consumer
from shared.messaging.envelope import Envelope
from tests.integration.messaging.conftest import RETRY_DELAYS_MS, Broker
from tests.integration.messaging.test_consumer import QUEUE, send, wait_for
from tests.integration.messaging.test_outbox_relay import request_payout
from tests.signing import verifier


def _force_close(connection_name: str) -> None:
    """What the broker does to every client on shutdown: CONNECTION_FORCED, for ours only."""
    listed = subprocess.run(
        ["rabbitmqctl", "list_connections", "pid", "client_properties", "-q"],
        capture_output=True, check=True, timeout=30, text=True)
    pids = [line.split("\t", 1)[0] for line in listed.stdout.splitlines()
            if f'{{"connection_name","{connection_name}"}}' in line]
    assert pids, "our connection is not listed by the broker"
    for pid in pids:
        subprocess.run(["rabbitmqctl", "close_connection", pid, "regression test"],
                       capture_output=True, check=True, timeout=30)


async def test_consumer_resumes_after_the_broker_drops_its_connection(
    amqp_url: str, broker: Broker
) -> None:
    name = f"reconnect-test-{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect_robust(
        amqp_url, client_properties={"connection_name": name}, reconnect_interval=0.5)
    seen: list[uuid.UUID] = []

    async def handler(envelope: Envelope) -> None:
        seen.append(envelope.message_id)

    consumer = Consumer(connection, broker.namespace, QUEUE, handler, verifier=verifier(),
                        prefetch=4, retry_delays_ms=RETRY_DELAYS_MS)
    await consumer.start()
    try:
        await asyncio.to_thread(_force_close, name)
        await asyncio.sleep(0.2)
        await wait_for(lambda: not connection.is_closed, timeout=20)
        before = Envelope.wrap(request_payout(), producer="claims", correlation_id="reconnect")
        await send(broker, before)
        await wait_for(lambda: before.message_id in seen, timeout=20)
    finally:
        await consumer.stop(grace_s=1)
        await connection.close()
