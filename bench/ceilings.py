"""The machine's raw ceilings, measured in the same run as the platform's figures.

- RabbitMQ: persistent messages published with confirms (windows of 100 in flight) and consumed
  with acks, end to end, per second.
- PostgreSQL: single-row INSERT transactions committed per second from 8 connections.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika
import asyncpg


async def rabbitmq_ceiling(amqp_url: str, messages: int = 20_000) -> float:
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(f"bench.ceiling.{uuid.uuid4().hex[:8]}",
                                            durable=True, auto_delete=False)
        consumer_channel = await connection.channel()
        await consumer_channel.set_qos(prefetch_count=200)
        received = asyncio.Event()
        count = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal count
            await message.ack()
            count += 1
            if count == messages:
                received.set()

        consumer_queue = await consumer_channel.get_queue(queue.name)
        tag = await consumer_queue.consume(on_message)
        body = b'{"bench": true}' * 10
        started = time.perf_counter()
        for offset in range(0, messages, 100):
            await asyncio.gather(*(
                channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=queue.name)
                for _ in range(min(100, messages - offset))))
        await asyncio.wait_for(received.wait(), timeout=300)
        elapsed = time.perf_counter() - started
        await consumer_queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
        return messages / elapsed
    finally:
        await connection.close()


async def postgres_ceiling(dsn: str, seconds: float = 5, connections: int = 8) -> float:
    setup = await asyncpg.connect(dsn)
    await setup.execute("CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial primary key, "
                        "payload text not null)")
    await setup.close()
    deadline = time.perf_counter() + seconds
    counts = [0] * connections

    async def writer(index: int) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            while time.perf_counter() < deadline:
                await conn.execute("INSERT INTO bench_ceiling (payload) VALUES ($1)", "x" * 64)
                counts[index] += 1  # each statement is its own committed transaction
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(writer(i) for i in range(connections)))
    elapsed = time.perf_counter() - started
    cleanup = await asyncpg.connect(dsn)
    await cleanup.execute("DROP TABLE bench_ceiling")
    await cleanup.close()
    return sum(counts) / elapsed
