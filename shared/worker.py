"""The worker process skeleton: outbox relay, consumers and timers until SIGTERM/SIGINT.

On a stop signal the worker stops taking messages, lets handlers in hand finish (unfinished ones
are returned to the queue when the channel closes), stops its loops and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field

from prometheus_client import start_http_server
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.loops import Loop
from shared.messaging.consumer import Consumer, Handler
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import Publisher
from shared.messaging.signatures import Signer, Verifier
from shared.messaging.topology import check_topology, connect
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class WorkerSpec:
    name: str
    sessionmaker: async_sessionmaker[AsyncSession]
    handlers: dict[str, Handler] = field(default_factory=dict)  # queue -> handler
    loops: list[Loop] = field(default_factory=list)  # timers, pollers


async def run_worker(
    spec: WorkerSpec, settings: ServiceSettings, stop: asyncio.Event | None = None
) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    port = getattr(settings, "worker_metrics_port", 0)
    if port:
        # A thread of prometheus_client's: the worker's counters (payouts by status, consumer
        # outcomes, outbox lag) live in this process, not in the API's.
        start_http_server(port, addr=getattr(settings, "host", "127.0.0.1"))
    connection = await connect(settings.amqp_url)
    # The topology is the administrator's (warranty-ops broker provision); this service's user
    # may declare nothing, so it only checks that what it needs is there.
    await check_topology(connection, settings.mq_namespace,
                         retry_delays_ms=settings.retry_delays_ms,
                         delivery_limit=settings.delivery_limit)
    publisher = await Publisher.open(connection, settings.mq_namespace,
                                     Signer(settings.signing_key_id, settings.signing_key))
    verifier = Verifier(settings.trusted_keys)
    engine = spec.sessionmaker.kw["bind"]
    relay = OutboxRelay(
        spec.sessionmaker, publisher, poll_interval_s=settings.outbox_poll_interval_s,
        listen_url=engine.url.render_as_string(hide_password=False),
    )
    consumers = [
        Consumer(
            connection, settings.mq_namespace, queue, handler, verifier=verifier,
            prefetch=settings.prefetch, retry_delays_ms=settings.retry_delays_ms,
        )
        for queue, handler in spec.handlers.items()
    ]
    for consumer in consumers:
        await consumer.start()
    tasks = [asyncio.create_task(relay.run(stop), name="outbox-relay")]
    tasks += [asyncio.create_task(body(stop)) for body in spec.loops]
    log.info("worker %s started: consuming %s", spec.name, list(spec.handlers))

    await stop.wait()
    log.info("worker %s stopping", spec.name)
    for consumer in consumers:
        await consumer.stop()
    await asyncio.wait(tasks, timeout=30)
    for task in tasks:
        task.cancel()
    await publisher.close()
    await connection.close()
    log.info("worker %s stopped", spec.name)
