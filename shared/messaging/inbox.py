"""Inbox: a consumer records each message id in the same transaction as the message's effect."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.driver import fetch_value
from shared.messaging.envelope import Envelope

# Plain asyncpg on the session's transaction (``shared/db/driver.py``): every consumed message
# runs it, first in its transaction.
_RECORD = (
    "INSERT INTO inbox (consumer, message_id, type) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING RETURNING message_id"
)


async def first_delivery(session: AsyncSession, consumer: str, envelope: Envelope) -> bool:
    """Record the message as handled by ``consumer``; False if it already was (a duplicate).

    Concurrent duplicates serialise on the primary key: the second insert waits for the first
    transaction and then does nothing, so only one of them applies the effect.
    """
    recorded = await fetch_value(session, _RECORD, consumer, envelope.message_id, envelope.type)
    return recorded is not None
