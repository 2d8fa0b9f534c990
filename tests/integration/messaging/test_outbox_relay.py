"""The outbox relay publishes committed messages with confirms, once, and keeps unconfirmed ones."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import asyncpg
import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db.engine import create_engine, create_sessionmaker
from shared.messaging.contracts import (
    Payee,
    PayeeKind,
    PayoutSource,
    Rail,
    RequestPayoutV1,
)
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import OutboxRelay
from shared.messaging.publisher import Publisher
from shared.messaging.tables import outbox
from shared.messaging.topology import named
from shared.uow import UnitOfWork
from tests.conftest import MigratedDb
from tests.integration.messaging.conftest import Broker


def request_payout(amount: str = "125.00") -> RequestPayoutV1:
    claim_id = str(uuid.uuid4())
    return RequestPayoutV1(
        payout_key=f"claim:{claim_id}:claim_credit",
        source=PayoutSource(claim_id=claim_id, kind="claim_credit"),
        amount=Decimal(amount),
        rail=Rail.CONCOURSE,
        payee=Payee(kind=PayeeKind.CUSTOMER, name="Jane Doe", email="jane@homemail.net"),
        requested_by="support-1",
    )


@pytest.fixture(autouse=True)
async def empty_outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(delete(outbox))


async def test_committed_message_is_published_once_and_marked(
    broker: Broker, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with UnitOfWork(sessionmaker, "claims", correlation_id="claim-1") as uow:
        sent = uow.emit(request_payout())
        await uow.commit()
    publisher = await Publisher.open(broker.connection, broker.namespace)
    relay = OutboxRelay(sessionmaker, publisher)

    assert await relay.relay_once() == 1
    assert await relay.relay_once() == 0  # marked published: never sent again

    channel = await broker.connection.channel()
    queue = await channel.get_queue(named(broker.namespace, "payouts.commands"))
    message = await queue.get(timeout=5)
    assert message is not None
    received = Envelope.from_bytes(message.body)
    assert received.message_id == sent.message_id
    assert received.correlation_id == "claim-1"
    assert isinstance(received.open(), RequestPayoutV1)
    assert message.delivery_mode == 2  # persistent
    await message.ack()


async def test_rolled_back_unit_of_work_publishes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with UnitOfWork(sessionmaker, "claims") as uow:
        uow.emit(request_payout())
        # no commit: leaving the block rolls back
    async with sessionmaker() as session:
        assert (await session.execute(select(outbox))).all() == []


class BrokenPublisher:
    async def publish_raw(self, **_: object) -> None:
        raise ConnectionError("broker went away")


async def test_unconfirmed_messages_stay_in_the_outbox(
    broker: Broker, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with UnitOfWork(sessionmaker, "claims") as uow:
        uow.emit(request_payout())
        await uow.commit()
    assert await OutboxRelay(sessionmaker, BrokenPublisher()).relay_once() == 0
    async with sessionmaker() as session:
        row = (await session.execute(select(outbox))).one()
    assert row.published_at is None and row.publish_attempts == 1

    publisher = await Publisher.open(broker.connection, broker.namespace)
    assert await OutboxRelay(sessionmaker, publisher).relay_once() == 1


async def test_two_relays_never_publish_the_same_row(
    broker: Broker, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for _ in range(40):
        async with UnitOfWork(sessionmaker, "claims") as uow:
            uow.emit(request_payout())
            await uow.commit()
    relays = [
        OutboxRelay(sessionmaker, await Publisher.open(broker.connection, broker.namespace),
                    batch_size=7)
        for _ in range(2)
    ]

    async def drain(relay: OutboxRelay) -> int:
        total = 0
        while (n := await relay.relay_once()) > 0:
            total += n
        return total

    counts = await asyncio.gather(*(drain(r) for r in relays))
    assert sum(counts) == 40

    channel = await broker.connection.channel()
    queue = await channel.declare_queue(
        named(broker.namespace, "payouts.commands"), passive=True
    )
    assert queue.declaration_result.message_count == 40


async def test_unroutable_message_raises_instead_of_vanishing(broker: Broker) -> None:
    publisher = await Publisher.open(broker.connection, broker.namespace)
    with pytest.raises(Exception, match=r"(?i)(unroutable|return|NO_ROUTE)"):
        await publisher.publish_raw(
            exchange="claims", routing_key="nobody.listens.here", body=b"{}",
            message_id=str(uuid.uuid4()), message_type="x", correlation_id="c",
        )


async def test_relay_wakes_on_commit_not_on_its_timer(
    broker: Broker, sessionmaker: async_sessionmaker[AsyncSession], migrated_db: MigratedDb
) -> None:
    publisher = await Publisher.open(broker.connection, broker.namespace)
    relay = OutboxRelay(sessionmaker, publisher, poll_interval_s=30,
                        listen_url=await migrated_db("billing"))
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.5)  # the relay is now asleep for up to 30 s, listening

    started = asyncio.get_running_loop().time()
    async with UnitOfWork(sessionmaker, "claims") as uow:
        uow.emit(request_payout())
        await uow.commit()
    channel = await broker.connection.channel()
    queue = await channel.get_queue(named(broker.namespace, "payouts.commands"))
    while (message := await queue.get(fail=False)) is None:
        assert asyncio.get_running_loop().time() - started < 5, "relay did not wake on commit"
        await asyncio.sleep(0.01)
    await message.ack()
    assert asyncio.get_running_loop().time() - started < 1
    stop.set()
    await asyncio.wait_for(running, timeout=5)


async def _commit_one_message(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with UnitOfWork(sessionmaker, "claims") as uow:
        uow.emit(request_payout())
        await uow.commit()


async def _outbox_seq_scans(engine: AsyncEngine) -> int:
    """Sequential scans of the outbox so far, counting those of the pool's one backend."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_stat_force_next_flush()"))  # flushed once idle
    async with engine.connect() as conn:
        return int((await conn.execute(text(
            "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'outbox'"))).scalar_one())


async def test_a_pass_reads_no_published_rows_however_many_have_piled_up(
    broker: Broker, migrated_db: MigratedDb
) -> None:
    # One pooled connection: every pass runs on the backend whose statistics are read. A
    # statement prepared on that backend gets a cached plan after five runs, made while the
    # outbox is nearly empty; before the fix that plan was a sequential scan, kept as it grew.
    engine = create_engine(await migrated_db("billing"), pool_size=1)
    sessionmaker = create_sessionmaker(engine)
    relay = OutboxRelay(sessionmaker, await Publisher.open(broker.connection, broker.namespace))
    try:
        for _ in range(8):
            await _commit_one_message(sessionmaker)
            assert await relay.relay_once() == 1
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO outbox (message_id, type, version, exchange, routing_key, "
                "correlation_id, body, published_at) SELECT gen_random_uuid(), 'x', 1, 'claims', "
                "'x', 'c', repeat('x', 600), now() FROM generate_series(1, 5000)"))
        before = await _outbox_seq_scans(engine)

        await _commit_one_message(sessionmaker)
        assert await relay.relay_once() == 1

        assert await _outbox_seq_scans(engine) == before
    finally:
        await engine.dispose()


class HangingPublisher:
    """A broker that never confirms: the pass waits in the middle until it is cancelled."""

    def __init__(self) -> None:
        self.waiting = asyncio.Event()

    async def publish_raw(self, **_: object) -> None:
        self.waiting.set()
        await asyncio.Event().wait()


async def test_a_pass_cut_short_hands_back_its_connection_outside_any_transaction(
    broker: Broker, migrated_db: MigratedDb
) -> None:
    # One pooled connection: the pass's connection is the one checked out after it. The relay
    # runs its own BEGIN and COMMIT, so it is the one to end its transaction when cut short.
    engine = create_engine(await migrated_db("billing"), pool_size=1)
    sessionmaker = create_sessionmaker(engine)
    try:
        await _commit_one_message(sessionmaker)
        hanging = HangingPublisher()
        cut_short = asyncio.create_task(OutboxRelay(sessionmaker, hanging).relay_once())
        await asyncio.wait_for(hanging.waiting.wait(), timeout=5)
        cut_short.cancel()  # the worker stopping in the middle of a pass
        with pytest.raises(asyncio.CancelledError):
            await cut_short
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None and not driver.is_in_transaction()
            assert await driver.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1
        publisher = await Publisher.open(broker.connection, broker.namespace)
        assert await OutboxRelay(sessionmaker, publisher).relay_once() == 1
    finally:
        await engine.dispose()


class SettingRecordingRelay(OutboxRelay):
    """Reads ``synchronous_commit`` inside each pass's transaction, on the pass's connection."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], publisher: Publisher
                 ) -> None:
        super().__init__(sessionmaker, publisher)
        self.seen: list[str] = []

    async def _pass(self, driver: asyncpg.Connection) -> int:
        self.seen.append(await driver.fetchval("SELECT current_setting('synchronous_commit')"))
        return await super()._pass(driver)


async def test_a_pass_commits_its_marks_without_waiting_for_the_disk(
    broker: Broker, migrated_db: MigratedDb
) -> None:
    """The marks only record what the broker confirmed; losing them in a crash re-publishes
    (the inbox drops the copy), so the relay's commit does not wait for the WAL's flush. The
    setting is the transaction's own: the pool's connection keeps the durable default."""
    engine = create_engine(await migrated_db("billing"), pool_size=1)
    sessionmaker = create_sessionmaker(engine)
    try:
        await _commit_one_message(sessionmaker)
        relay = SettingRecordingRelay(
            sessionmaker, await Publisher.open(broker.connection, broker.namespace))
        assert await relay.relay_once() == 1
        assert relay.seen == ["off"]
        async with engine.connect() as conn:
            assert (await conn.execute(text(
                "SELECT current_setting('synchronous_commit')"))).scalar_one() == "on"
            assert (await conn.execute(text(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"))).scalar_one() == 0
    finally:
        await engine.dispose()
