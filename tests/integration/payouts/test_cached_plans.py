"""The dispatcher's scan keeps a cheap plan when PostgreSQL caches a generic one for it.

A prepared statement that has run five times may be given a generic plan: one made without its
parameter values, from the table statistics of that moment. On a new database every table is
empty, and the plan made then is kept while the tables grow: the dispatcher's scan of approved
payouts walked every payout (~4 ms a call after 1 600 payouts, ``bench/RESULTS.md``). The test
asks for the generic plan (``plan_cache_mode = force_generic_plan``) of the statement as the
service sends it, on a freshly migrated and empty database, and checks that it reads only the
partial indexes of approved payouts and of active attempts. (The outbox relay's marking, the
other statement found, is planned on every pass instead: ``test_outbox_relay.py``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from sqlalchemy import event

from services.payouts.adapters.repositories import PayoutRepository
from shared.db.engine import connect_raw, create_engine, create_sessionmaker
from tests.conftest import MigratedDb


def _literal(value: object) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"no literal for {value!r}")
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


async def generic_plan(conn: asyncpg.Connection, sql: str, params: Sequence[object]) -> str:
    """The plan PostgreSQL caches for ``sql`` (``$n`` placeholders) once it goes generic."""
    await conn.execute("SET plan_cache_mode = force_generic_plan")
    await conn.execute(f"PREPARE hot AS {sql}")
    try:
        rows = await conn.fetch(f"EXPLAIN EXECUTE hot({', '.join(map(_literal, params))})")
    finally:
        await conn.execute("DEALLOCATE hot")
    return "\n".join(row[0] for row in rows)


async def test_dispatcher_scan_uses_the_approved_payouts_index(migrated_db: MigratedDb) -> None:
    payouts_db = await migrated_db("payouts")
    engine = create_engine(payouts_db, pool_size=1)
    sent: list[tuple[str, Sequence[Any]]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Sequence[Any],
                context: Any, executemany: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await PayoutRepository(session).lock_dispatchable(["concourse", "check", "zelle"], 50,
                                                              datetime.now(UTC))
    finally:
        await engine.dispose()
    [(statement, parameters)] = sent

    conn = await connect_raw(payouts_db)
    try:
        plan = await generic_plan(conn, statement, list(parameters))
    finally:
        await conn.close()
    assert "ix_payouts_dispatchable" in plan, plan
    assert "uq_payout_attempts_one_active" in plan, plan
    assert "Seq Scan" not in plan, plan
