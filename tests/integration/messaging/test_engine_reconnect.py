"""The pool survives PostgreSQL closing its connections (a restart, an administrator) without
failing the next unit of work, and without a ping round trip per checkout."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from shared.db import create_engine, create_sessionmaker
from shared.db.engine import connect_raw
from tests.conftest import MigratedDb


async def _terminate_other_backends(url: str) -> int:
    conn = await connect_raw(url)
    try:
        killed = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return len(killed)


async def test_the_next_transaction_after_the_server_closed_every_connection_succeeds(
    migrated_db: MigratedDb,
) -> None:
    url = await migrated_db("billing")
    engine = create_engine(url, pool_size=3, max_overflow=0)
    pings: list[Any] = []
    ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
    sessionmaker = create_sessionmaker(engine)
    try:
        async def one_transaction() -> int:
            async with sessionmaker() as session, session.begin():
                return int((await session.execute(text("SELECT 1"))).scalar_one())

        # Fill the pool with three connections that stay open in it.
        assert await asyncio.gather(*(one_transaction() for _ in range(3))) == [1, 1, 1]
        assert await _terminate_other_backends(url) >= 3
        await asyncio.sleep(0.2)  # the loop reads the servers' goodbyes

        assert await asyncio.gather(*(one_transaction() for _ in range(3))) == [1, 1, 1]
        assert pings == []  # no ping round trips (three with asyncpg) before each checkout
    finally:
        await engine.dispose()
