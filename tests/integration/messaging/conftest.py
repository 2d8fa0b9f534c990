"""Fixtures for the messaging tests: a real broker namespace per test, a real database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aio_pika
import pytest
from aio_pika.abc import AbstractRobustConnection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import create_engine, create_sessionmaker
from shared.messaging.topology import declare_topology, delete_topology
from tests.conftest import MigratedDb

RETRY_DELAYS_MS = [50, 50]


@dataclass
class Broker:
    connection: AbstractRobustConnection
    namespace: str


@pytest.fixture
async def broker(amqp_url: str, mq_namespace: str) -> AsyncIterator[Broker]:
    namespace = f"{mq_namespace}{uuid.uuid4().hex[:6]}."
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await declare_topology(
        channel, namespace, retry_delays_ms=RETRY_DELAYS_MS, delivery_limit=3
    )
    yield Broker(connection, namespace)
    await delete_topology(channel, namespace, retry_levels=len(RETRY_DELAYS_MS))
    await connection.close()


@pytest.fixture(scope="session")
async def sessionmaker(migrated_db: MigratedDb) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    # The billing database holds only the messaging tables so far: a neutral place to test them.
    engine = create_engine(await migrated_db("billing"), pool_size=4)
    yield create_sessionmaker(engine)
    await engine.dispose()
