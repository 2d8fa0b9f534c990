"""The asyncpg connection under a session, for the money path's busiest statements.

In a unit of work, an insert through the session costs about three times the CPU of the same
insert in plain asyncpg, this helper included (``bench/RESULTS.md``, "Figures behind the
code"). The statements that run in
nearly every transaction (the inbox row, the outbox rows, idempotency keys, audit rows) and the
money path's writes go straight to asyncpg on the connection the session's transaction runs on,
so they stay in that transaction. ``positional`` numbers a statement written with ``:name``
binds for asyncpg, once, at import; ``prepared`` compiles a Core statement for asyncpg, once, with
the conversions SQLAlchemy would apply to its parameters and its rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import types
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement

# Where a session keeps the driver of its current transaction: a unit of work asks for it
# several times, and finding it through the session's connection each time costs a greenlet hop.
_KEPT = "shared.db.driver"


async def session_driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under ``session``, BEGIN not forced: before the session's first
    statement, what is sent here runs on its own (for a lone read that needs no transaction)."""
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


async def transaction_driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection of ``session``'s transaction, with its BEGIN sent.

    SQLAlchemy's asyncpg dialect sends BEGIN lazily, with the first statement that goes through
    it, and has no public call that sends it alone; a statement sent to asyncpg before that
    would run (and commit) on its own. So when asyncpg says no transaction is open yet, a
    statement that does nothing goes through the session's connection first: the dialect sends
    its BEGIN with it, and owns the transaction it commits or rolls back. Public APIs only
    (``tests/unit/test_no_private_driver_api.py``)."""
    kept = _kept(session)
    if kept is not None:
        return kept
    connection = await session.connection()
    driver = _driver_of(connection)
    if not driver.is_in_transaction():
        await connection.exec_driver_sql(_BEGIN_WITH)
    return _keep(session, driver)


def _kept(session: AsyncSession) -> asyncpg.Connection | None:
    """The driver this transaction of ``session`` already found, if any."""
    kept = session.info.get(_KEPT)
    if kept is not None and kept[0] is session.get_transaction():
        driver: asyncpg.Connection = kept[1]
        return driver
    return None


def _keep(session: AsyncSession, driver: asyncpg.Connection) -> asyncpg.Connection:
    session.info[_KEPT] = (session.get_transaction(), driver)
    return driver


def _driver_of(connection: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection under ``connection``: its pool connection, checked out by
    ``session.connection()``, read without ``get_raw_connection()``'s hop through a greenlet."""
    sync_connection = connection.sync_connection
    assert sync_connection is not None  # the session's transaction has its connection
    driver: asyncpg.Connection = sync_connection.connection.driver_connection
    return driver


# What the dialect's BEGIN goes out with: PostgreSQL's cheapest statement.
_BEGIN_WITH = "SELECT 1"


async def fetch_value(session: AsyncSession, sql: str, *args: Any) -> Any:
    """asyncpg's ``fetchval`` in ``session``'s transaction, for a statement that is often the
    transaction's first (the inbox row, an idempotency key): until the transaction has begun
    it goes through the session's connection, which sends the dialect's BEGIN with it, instead
    of a ``SELECT 1`` first (``transaction_driver``); afterwards straight to asyncpg."""
    kept = _kept(session)
    if kept is not None:
        return await kept.fetchval(sql, *args)
    connection = await session.connection()
    driver = _keep(session, _driver_of(connection))
    if driver.is_in_transaction():
        return await driver.fetchval(sql, *args)
    return (await connection.exec_driver_sql(sql, args)).scalar()


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


# The dialect the engines use: its compiler numbers binds ``$n`` and writes their casts into the
# text, so a compiled statement runs on asyncpg as it would through the session.
_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
_NUMERIC_OID = 1700  # the result processor of a Numeric asks which PostgreSQL type it reads
Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A Core statement compiled once for plain asyncpg, with the conversions SQLAlchemy applies
    through a session: its bind processors (an enum to its value, JSON to text) on the way in and
    its result processors (a value to its enum) on the way out."""

    sql: str
    names: tuple[str, ...]  # the binds in ``$n`` order
    defaults: Mapping[str, Any]  # values the statement carries itself (its constants' binds)
    binds: tuple[Convert | None, ...]
    results: tuple[Convert | None, ...] | None  # None: a text statement, rows as they come

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = [params[name] if name in params else self.defaults[name]
                  for name in self.names]
        # None goes through the processor too, as through a session: JSON's turns it into the
        # JSON ``null`` a session stores, not SQL NULL.
        return [value if convert is None else convert(value)
                for value, convert in zip(values, self.binds, strict=True)]

    def row(self, record: asyncpg.Record) -> tuple[Any, ...]:
        if self.results is None:
            return tuple(record)
        return tuple(value if convert is None else convert(value)
                     for value, convert in zip(record, self.results, strict=True))


def _result_processor(type_: types.TypeEngine[Any]) -> Convert | None:
    impl = type_.dialect_impl(_DIALECT)
    oid = _NUMERIC_OID if isinstance(impl, types.Numeric) and not isinstance(
        impl, types.Float) else None
    processor: Convert | None = impl.result_processor(_DIALECT, oid)
    return processor


def prepared(statement: ClauseElement) -> Prepared:
    compiled: Any = statement.compile(dialect=_DIALECT)
    if "POSTCOMPILE" in compiled.string:
        # An IN over a bound list is rendered per call: write the constants (or an array).
        raise ValueError("a statement with an expanding IN cannot be compiled once")
    names = tuple(compiled.positiontup or ())
    binds = tuple(compiled.binds[name].type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
                  for name in names)
    # The statement's result columns (a SELECT's, a RETURNING's; a text statement declares
    # none), in the order asyncpg returns them.
    columns = list(getattr(statement, "exported_columns", ()))
    results = tuple(_result_processor(column.type) for column in columns) if columns else None
    return Prepared(compiled.string, names, dict(compiled.params), binds, results)


async def fetch(session: AsyncSession, statement: Prepared,
                params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """``statement``'s rows, converted, in plain asyncpg in ``session``'s transaction."""
    driver = await transaction_driver(session)
    return [statement.row(record)
            for record in await driver.fetch(statement.sql, *statement.args(params))]


async def fetch_one(session: AsyncSession, statement: Prepared,
                    params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    driver = await transaction_driver(session)
    record = await driver.fetchrow(statement.sql, *statement.args(params))
    return None if record is None else statement.row(record)


async def run(session: AsyncSession, statement: Prepared, params: Mapping[str, Any]) -> str:
    """Run ``statement`` for its effect; returns PostgreSQL's status (``UPDATE 1``)."""
    driver = await transaction_driver(session)
    status: str = await driver.execute(statement.sql, *statement.args(params))
    return status
