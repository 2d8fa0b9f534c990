"""The asyncpg connection under a session, for the statements every unit of work runs.

In a unit of work, an insert through the session costs ~190-205 us of CPU, the same insert in
plain asyncpg ~60-90 us, this helper included (``bench/RESULTS.md``). The statements that run in nearly
every transaction of the money path (the inbox row, the outbox rows, idempotency keys, audit
rows) go straight to asyncpg on the connection the session's transaction runs on, so they stay
in that transaction.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

# Where a session keeps the driver of its current transaction: a unit of work asks for it
# several times, and finding it through the session's connection costs ~25-60 us each time.
_KEPT = "shared.db.driver"


async def transaction_driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection of ``session``'s transaction, with its BEGIN sent.

    SQLAlchemy's asyncpg dialect sends BEGIN lazily, with the first statement that goes through
    it; a statement sent to asyncpg before that would run (and commit) on its own. So the BEGIN
    goes out here if it has not yet, exactly as the dialect would send it."""
    kept = session.info.get(_KEPT)
    if kept is not None and kept[0] is session.get_transaction():
        driver: asyncpg.Connection = kept[1]
        return driver
    connection = await session.connection()
    fairy = await connection.get_raw_connection()
    adapted: Any = fairy.dbapi_connection
    if adapted._transaction is None:
        await adapted._start_transaction()
    driver = fairy.driver_connection
    session.info[_KEPT] = (session.get_transaction(), driver)
    return driver
