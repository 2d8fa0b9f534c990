"""The asyncpg connection under a session, for the statements every unit of work runs.

In a unit of work, an insert through the session costs ~207 us of CPU, the same insert in plain
asyncpg ~138 us, this helper included (``bench/RESULTS.md``). The statements that run in nearly
every transaction of the money path (the inbox row, the outbox rows, idempotency keys, audit
rows) go straight to asyncpg on the connection the session's transaction runs on, so they stay
in that transaction.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession


async def transaction_driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection of ``session``'s transaction, with its BEGIN sent.

    SQLAlchemy's asyncpg dialect sends BEGIN lazily, with the first statement that goes through
    it; a statement sent to asyncpg before that would run (and commit) on its own. So the BEGIN
    goes out here if it has not yet, exactly as the dialect would send it."""
    connection = await session.connection()
    fairy = await connection.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    if adapted._transaction is None:
        await adapted._start_transaction()
    driver: asyncpg.Connection = fairy.driver_connection
    return driver
