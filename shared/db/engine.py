"""Async engine and session factory; creating a service's database when it does not exist."""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 0) -> AsyncEngine:
    """A pool of ``pool_size`` connections kept open. No overflow by default: overflow
    connections are closed on return, so a process whose concurrency exceeds its pool would open
    (and set up) a connection per transaction (a tenth of the billing API's CPU under load,
    ``bench/RESULTS.md``); with none, a burst waits a moment for a pooled connection instead.

    ``hide_parameters``: a statement's error names its bound parameters (a payee's email,
    mobile, address), and errors are logged; the SQL alone says where it failed."""
    engine = _create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        hide_parameters=True,
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Survive a PostgreSQL restart without failing the first request, for free.

    ``pool_pre_ping`` would cost three round trips per checkout with asyncpg (BEGIN, a ping,
    ROLLBACK: a fifth of all statements on the money path). A restarted server closes its sockets
    and asyncpg marks the connection closed as soon as the event loop reads that, so looking
    at the flag finds the same dead connections; the pool then replaces every connection older
    than this one and checks out a fresh one. A connection that dies later fails its statement,
    which SQLAlchemy also recognises as a disconnect (the unit of work fails and is retried by
    its caller: a redelivery, or the client's retry with the same Idempotency-Key)."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.InvalidatePoolError("connection closed by the server")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit (we build responses from them).
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def connect_raw(url: str, *, database: str | None = None) -> asyncpg.Connection:
    """A plain asyncpg connection to ``url``'s server (``database`` overrides the url's)."""
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=database or parsed.database,
        timeout=10,
    )


def _quoted(name: str) -> str:
    # Identifiers cannot be bound parameters; quote them ourselves.
    return '"' + name.replace('"', '""') + '"'


async def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it does not exist. Returns True if created."""
    name = make_url(url).database
    if not name:
        raise ValueError("database url names no database")
    conn = await connect_raw(url, database="postgres")
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await conn.execute(f"CREATE DATABASE {_quoted(name)}")
        return True
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    conn = await connect_raw(url, database="postgres")
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quoted(make_url(url).database or '')} "
                           "WITH (FORCE)")
    finally:
        await conn.close()
