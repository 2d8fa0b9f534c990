"""The asyncpg connection under a session, for the money path's busiest statements.

In a unit of work, an insert through the session costs ~190-205 us of CPU, the same insert in
plain asyncpg ~60-90 us, this helper included (``bench/RESULTS.md``). The statements that run in
nearly every transaction (the inbox row, the outbox rows, idempotency keys, audit rows) and the
money path's writes go straight to asyncpg on the connection the session's transaction runs on,
so they stay in that transaction. ``positional`` numbers a statement written with ``:name``
binds for asyncpg, once, at import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

# Where a session keeps the driver of its current transaction: a unit of work asks for it
# several times, and finding it through the session's connection costs ~25-60 us each time.
_KEPT = "shared.db.driver"


async def session_driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under ``session``, BEGIN not forced: before the session's first
    statement, what is sent here runs on its own (for a lone read that needs no transaction)."""
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


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


_BIND = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@dataclass(frozen=True, slots=True)
class Positional:
    """A statement written with ``:name`` binds, numbered for asyncpg (``$1``, ``$2`` ...; a name
    used twice is one parameter), with the names in their numbers' order."""

    sql: str
    names: tuple[str, ...]

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[name] for name in self.names]


def positional(sql: str) -> Positional:
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return Positional(_BIND.sub(number, sql), tuple(names))


async def execute(session: AsyncSession, statement: Positional,
                  params: Mapping[str, Any]) -> None:
    """Run ``statement`` in plain asyncpg in ``session``'s transaction."""
    driver = await transaction_driver(session)
    await driver.execute(statement.sql, *statement.args(params))
