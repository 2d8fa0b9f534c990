"""A service's worker against the real broker, in a namespace of its own, removed afterwards."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aio_pika

from shared.messaging.topology import declare_topology, delete_topology
from shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


@asynccontextmanager
async def worker_running(
    settings: S, name: str, run: Callable[[S, asyncio.Event], Coroutine[Any, Any, None]]
) -> AsyncIterator[S]:
    """``run`` (a service's worker) over ``settings`` in the namespace ``<run's>name.``; yields
    the settings it runs with. The topology is declared before the worker starts (the
    administrator's part: the worker's user declares nothing, and publishing cannot race it),
    and every queue of the namespace is deleted once it stopped (the audit queue included: it
    kept ~770 messages a run)."""
    settings = settings.model_copy(update={"mq_namespace": f"{settings.mq_namespace}{name}."})
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        await declare_topology(await connection.channel(), settings.mq_namespace,
                               retry_delays_ms=settings.retry_delays_ms,
                               delivery_limit=settings.delivery_limit)
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, stop))
    try:
        yield settings
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=40)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):  # run_worker installed them for the loop
            loop.remove_signal_handler(sig)
        connection = await aio_pika.connect(settings.amqp_url)
        async with connection:
            await delete_topology(await connection.channel(), settings.mq_namespace,
                                  retry_levels=len(settings.retry_delays_ms))
