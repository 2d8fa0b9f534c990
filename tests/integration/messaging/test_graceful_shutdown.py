"""On SIGTERM a worker stops taking messages, finishes the ones it holds, and exits: every
message is either handled (and acked) or still in the queue."""

from __future__ import annotations

import asyncio
import os
import signal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.messaging.topology import named
from shared.settings import ServiceSettings
from shared.worker import WorkerSpec, run_worker
from tests.integration.messaging.conftest import RETRY_DELAYS_MS, Broker
from tests.integration.messaging.test_outbox_relay import request_payout
from tests.signing import signer

QUEUE = "payouts.commands"


async def test_sigterm_finishes_in_flight_work_and_loses_nothing(
    broker: Broker, sessionmaker: async_sessionmaker[AsyncSession], amqp_url: str
) -> None:
    handled: list[str] = []
    started = asyncio.Event()

    async def slow(envelope: Envelope) -> None:
        started.set()
        await asyncio.sleep(0.5)  # work in hand when the signal arrives
        handled.append(str(envelope.message_id))

    publisher = await Publisher.open(broker.connection, broker.namespace, signer("claims"))
    sent = [Envelope.wrap(request_payout(), producer="claims") for _ in range(10)]
    for envelope in sent:
        await publisher.publish(envelope)
    await publisher.close()

    settings = ServiceSettings(
        service_name="payouts", amqp_url=amqp_url, MQ_NAMESPACE=broker.namespace,
        MQ_PREFETCH=2, MQ_RETRY_DELAYS_MS=RETRY_DELAYS_MS, MQ_DELIVERY_LIMIT=3,
    )
    worker = asyncio.create_task(run_worker(
        WorkerSpec(name="payouts", sessionmaker=sessionmaker, handlers={QUEUE: slow}), settings))
    await asyncio.wait_for(started.wait(), timeout=10)
    os.kill(os.getpid(), signal.SIGTERM)  # the worker installed its handler: no test death
    await asyncio.wait_for(worker, timeout=20)
    asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
    asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)

    assert 1 <= len(handled) <= 2  # what it held (prefetch 2) was finished, nothing more taken
    channel = await broker.connection.channel()
    left = await channel.declare_queue(named(broker.namespace, QUEUE), passive=True)
    assert left.declaration_result.message_count == len(sent) - len(handled)
    await channel.close()
