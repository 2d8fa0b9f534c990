"""The machine's raw ceilings, measured in the same run as the platform's figures.

- RabbitMQ: persistent messages published with confirms (windows of 100 in flight) and consumed
  with acks, end to end, per second.
- PostgreSQL: single-row INSERT transactions committed per second from 8 connections.
- The latency floors under every step of a paid claim: one commit at a time (the WAL's flush to
  disk) and one publish with confirm at a time to a quorum queue (the broker's flush), with
  pauses between them so that nothing queues. Their tails are the disk's: a slow flush now and
  then delays whichever flow waits on it, at any load.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika
import asyncpg

from bench.flows import percentile

SLOW_MS = 20.0  # a flush this slow is a fifth of the 100 ms latency target


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


def _floor(latencies_ms: list[float]) -> dict[str, float | int]:
    return {"p50_ms": round(percentile(latencies_ms, 50), 2),
            "p99_ms": round(percentile(latencies_ms, 99), 2),
            "max_ms": round(max(latencies_ms), 2),
            "over_20_ms": sum(ms > SLOW_MS for ms in latencies_ms), "samples": len(latencies_ms)}


async def commit_latency(dsn: str, samples: int = 400, pause_s: float = 0.005
                         ) -> dict[str, float | int]:
    """One single-row INSERT committed at a time (``synchronous_commit`` as the server has it)."""
    conn = await asyncpg.connect(dsn)
    latencies: list[float] = []
    try:
        await conn.execute("CREATE TABLE IF NOT EXISTS bench_commit_floor "
                           "(id bigserial primary key, payload text not null)")
        for _ in range(samples):
            started = time.perf_counter()
            await conn.execute("INSERT INTO bench_commit_floor (payload) VALUES ($1)", "x" * 64)
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(pause_s)
        await conn.execute("DROP TABLE bench_commit_floor")
    finally:
        await conn.close()
    return _floor(latencies)


async def confirm_latency(amqp_url: str, samples: int = 400, pause_s: float = 0.005
                          ) -> dict[str, float | int]:
    """One persistent message at a time to a quorum queue, until its publisher confirm."""
    connection = await aio_pika.connect_robust(amqp_url)
    latencies: list[float] = []
    try:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(
            f"bench.floor.{uuid.uuid4().hex[:8]}", durable=True,
            arguments={"x-queue-type": "quorum"})
        body = b'{"bench": true}' * 40
        try:
            for _ in range(samples):
                started = time.perf_counter()
                await channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=queue.name)
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(pause_s)
        finally:
            await queue.delete(if_unused=False, if_empty=False)
    finally:
        await connection.close()
    return _floor(latencies)
