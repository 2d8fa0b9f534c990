"""Inbox: a consumer records each message id in the same transaction as the message's effect."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.envelope import Envelope
from shared.messaging.tables import inbox


async def first_delivery(session: AsyncSession, consumer: str, envelope: Envelope) -> bool:
    """Record the message as handled by ``consumer``; False if it already was (a duplicate).

    Concurrent duplicates serialise on the primary key: the second insert waits for the first
    transaction and then does nothing, so only one of them applies the effect.
    """
    result = await session.execute(
        insert(inbox)
        .values(consumer=consumer, message_id=envelope.message_id, type=envelope.type)
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    return result.first() is not None
