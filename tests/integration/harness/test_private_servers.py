"""The private servers fault tests kill: a crash keeps what was committed, and the next start
finds it (PostgreSQL's WAL replay; a quorum queue's log). They run on ports of their own, so
the machine's servers on 5432 and 5672 are never touched."""

from __future__ import annotations

from collections.abc import Iterator

import aio_pika
import pytest

from harness.ports import free_port
from harness.servers import PrivatePostgres, PrivateRabbit, scratch
from shared.db.engine import connect_raw


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres(scratch("harness-pg-"), free_port())
    server.start()
    yield server
    server.close()


@pytest.fixture
def rabbit() -> Iterator[PrivateRabbit]:
    node = PrivateRabbit(scratch("harness-mq-"), free_port(), free_port(),
                         f"harness-test-{free_port()}")
    node.start()
    yield node
    node.close()


async def test_a_killed_postgres_restarts_with_what_was_committed(
    postgres: PrivatePostgres,
) -> None:
    conn = await connect_raw(postgres.url("postgres"), database="postgres")
    await conn.execute("CREATE TABLE ledger (id int PRIMARY KEY, cents bigint NOT NULL)")
    await conn.execute("INSERT INTO ledger VALUES (1, 12345)")
    await conn.close()
    first = postgres.postmaster_pid()

    postgres.kill()
    assert not postgres.running()
    postgres.start()

    assert postgres.postmaster_pid() != first
    conn = await connect_raw(postgres.url("postgres"), database="postgres")
    try:
        assert await conn.fetchval("SELECT cents FROM ledger WHERE id = 1") == 12345
    finally:
        await conn.close()


async def test_a_killed_rabbit_restarts_with_its_persistent_messages(
    rabbit: PrivateRabbit,
) -> None:
    connection = await aio_pika.connect(rabbit.admin_url())
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue("kept", durable=True,
                                    arguments={"x-queue-type": "quorum"})
    # The platform's queues are provisioned long before any fault; a node killed within
    # seconds of declaring a quorum queue can lose the queue's registration itself (RabbitMQ
    # 3.10 syncs that table lazily). A clean restart is that "long before".
    rabbit.restart()
    connection = await aio_pika.connect(rabbit.admin_url())
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.default_exchange.publish(
            aio_pika.Message(b"pay once", delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key="kept")

    rabbit.kill()
    rabbit.start()

    connection = await aio_pika.connect(rabbit.admin_url())
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("kept", passive=True)
        message = await queue.get(timeout=30)
        assert message is not None
        assert message.body == b"pay once"
        await message.ack()
