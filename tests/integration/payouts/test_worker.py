"""The worker as it runs: RabbitMQ command in, dispatcher and recovery loops, outbox relay out."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import aio_pika

from services.payouts.bootstrap import worker_spec
from shared.messaging.contracts import PayoutPaidV1
from shared.messaging.publisher import Publisher
from shared.messaging.topology import declare_topology, delete_topology
from shared.worker import run_worker
from tests.signing import signer

from .conftest import World, command, wrap
from .helpers import payouts


async def _eventually(check: object, timeout_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            assert await check()  # type: ignore[operator]
            return
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.05)


async def test_request_over_the_broker_ends_paid_with_events_published(world: World) -> None:
    await world.faults(hold_settlement=False)
    stop = asyncio.Event()
    connection = await aio_pika.connect(world.settings.amqp_url)
    settings = world.settings
    channel = await connection.channel()
    # The administrator's part, before the worker (whose user may declare nothing) starts.
    await declare_topology(channel, settings.mq_namespace,
                           retry_delays_ms=settings.retry_delays_ms,
                           delivery_limit=settings.delivery_limit)
    task = asyncio.create_task(run_worker(worker_spec(world.deps), world.settings, stop))
    try:
        publisher = await Publisher.open(connection, settings.mq_namespace, signer("claims"))
        envelope = wrap(command())
        await publisher.publish(envelope)
        await publisher.publish(envelope)  # a broker redelivery: still one payout

        async def paid() -> bool:
            return [p.status for p in await payouts(world)] == ["paid"]

        await _eventually(paid)

        async def relayed() -> bool:
            rows = await world.sql("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
            return bool(rows[0].n == 0)

        await _eventually(relayed)
        assert len(await world.outbox(PayoutPaidV1.TYPE)) == 1
        assert len(await world.ledger()) == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
        # The run's namespace: its queues would outlive the run (the audit queue for a week).
        await delete_topology(await connection.channel(), world.settings.mq_namespace,
                              retry_levels=len(world.settings.retry_delays_ms))
        await connection.close()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
