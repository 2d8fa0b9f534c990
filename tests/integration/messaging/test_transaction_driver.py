"""Statements sent to asyncpg under a session stay in the session's transaction.

SQLAlchemy sends BEGIN lazily, with the first statement that goes through it; the inbox row is
often a unit of work's first statement and goes straight to asyncpg (``shared/db/driver.py``).
Were BEGIN not sent first, that row would commit on its own and survive a rollback: the message
would count as handled though its effect was never applied.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.driver import transaction_driver
from shared.messaging.contracts import Payee, PayeeKind, PayoutSource, Rail, RequestPayoutV1
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import first_delivery
from shared.messaging.tables import inbox
from shared.uow import UnitOfWork


def envelope() -> Envelope:
    return Envelope.wrap(
        RequestPayoutV1(
            payout_key="claim:x:1", source=PayoutSource(claim_id="x", kind="claim_credit"),
            amount="10.00", rail=Rail.CONCOURSE,
            payee=Payee(kind=PayeeKind.CUSTOMER, name="Jane Doe", email="jane@homemail.net"),
            requested_by="support-1",
        ),
        producer="claims", correlation_id="x",
    )


async def inbox_rows(sessionmaker: async_sessionmaker[AsyncSession], message_id: object) -> int:
    async with sessionmaker() as session:
        rows = await session.execute(select(inbox).where(inbox.c.message_id == message_id))
        return len(rows.all())


async def test_an_inbox_row_sent_first_rolls_back_with_its_unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    message = envelope()
    async with UnitOfWork(sessionmaker, "test") as uow:
        assert await first_delivery(uow.session, "test.rollback", message)
        # no commit: leaving the block rolls back
    assert await inbox_rows(sessionmaker, message.message_id) == 0


async def test_asyncpg_and_session_statements_share_one_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    message = envelope()
    async with UnitOfWork(sessionmaker, "test") as uow:
        assert await first_delivery(uow.session, "test.commit", message)
        # The session's own statement sees the row, in the same transaction id.
        seen = await uow.session.execute(
            text("SELECT count(*) FROM inbox WHERE message_id = :m"), {"m": message.message_id})
        assert seen.scalar_one() == 1
        await uow.commit()
    assert await inbox_rows(sessionmaker, message.message_id) == 1
    async with UnitOfWork(sessionmaker, "test") as uow:
        assert not await first_delivery(uow.session, "test.commit", message)  # a duplicate


async def test_a_session_s_next_transaction_gets_its_own_begin(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # The driver is kept per transaction: a second transaction of the same session must not
    # reuse the first one's (its BEGIN would be missing, and its row would commit alone).
    first, second = envelope(), envelope()
    async with sessionmaker() as session:
        await session.begin()
        assert await first_delivery(session, "test.sequence", first)
        await session.commit()
        await session.begin()
        assert await first_delivery(session, "test.sequence", second)
        await session.rollback()
    assert await inbox_rows(sessionmaker, first.message_id) == 1
    assert await inbox_rows(sessionmaker, second.message_id) == 0


async def test_a_raw_statement_sent_first_through_the_driver_rolls_back_too(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """``transaction_driver`` has the dialect send its BEGIN (public APIs only) before it hands
    out the asyncpg connection, so a first statement sent there is in the transaction."""
    message = envelope()
    async with UnitOfWork(sessionmaker, "test") as uow:
        driver = await transaction_driver(uow.session)
        assert driver.is_in_transaction()
        await driver.execute("INSERT INTO inbox (consumer, message_id, type) VALUES ($1, $2, $3)",
                             "test.raw", message.message_id, message.type)
    assert await inbox_rows(sessionmaker, message.message_id) == 0
