"""The statements a paid claim costs payouts, pinned: the request, the dispatch with the
provider's answer, and the paid callback. Each is a round trip on the money path; one more
(an autoflush, a statement per row, a read back) would show here before it shows in a
benchmark. Both ways a statement goes are seen: through SQLAlchemy (its cursor events) and
straight to asyncpg on the session's connection (``shared/db/driver.py``: its query logger).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from services.payouts.service.dispatch import dispatch_once

from .conftest import World, command
from .helpers import attempts, payouts, post
from .helpers import event as callback

Watch = Callable[[Callable[[], Awaitable[Any]]], Awaitable[list[str]]]


def _kind(sql: str) -> str:
    """A statement named by its first words and tables (its binds and lists left out)."""
    words = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\(.*", "", words)[:60].strip()


# What asyncpg sends the first time a connection meets a type (its type introspection):
# paid once per pooled connection, not per claim.
_SETUP = ("WITH RECURSIVE typeinfo_tree", "SELECT set_config", "SELECT current_setting")
# Set while a step runs: what the step's tasks send is the claim's, what another task sends at
# the same time (the API process following the shared clock, once a second) is not. The
# driver's query log is delivered later, in the context of the task that sent the query.
_STEP: ContextVar[bool] = ContextVar("step", default=False)


def _per_claim(sent: list[str]) -> list[str]:
    return sorted(kind for kind in map(_kind, sent) if not kind.startswith(_SETUP))


@asynccontextmanager
async def _watching(*engines: AsyncEngine) -> AsyncIterator[Watch]:
    sent: list[str] = []

    def through_sqlalchemy(conn: Any, cursor: Any, statement: str, parameters: Any,
                           context: Any, executemany: bool) -> None:
        if _STEP.get():
            sent.append(statement)

    def through_driver(query: asyncpg.connection.LoggedQuery) -> None:
        if _STEP.get():
            sent.append(query.query)

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(through_driver)

    def checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            dbapi_connection.driver_connection.remove_query_logger(through_driver)

    for engine in engines:
        event.listen(engine.sync_engine, "before_cursor_execute", through_sqlalchemy)
        event.listen(engine.sync_engine.pool, "checkout", checkout)
        event.listen(engine.sync_engine.pool, "checkin", checkin)

    async def watch(step: Callable[[], Awaitable[Any]]) -> list[str]:
        sent.clear()
        token = _STEP.set(True)
        try:
            await step()
        finally:
            _STEP.reset(token)
        await asyncio.sleep(0.05)  # the driver's query log is delivered by the event loop
        return _per_claim(sent)

    try:
        yield watch
    finally:
        for engine in engines:
            event.remove(engine.sync_engine, "before_cursor_execute", through_sqlalchemy)
            event.remove(engine.sync_engine.pool, "checkout", checkout)
            event.remove(engine.sync_engine.pool, "checkin", checkin)


TRANSACTION = ["BEGIN;", "COMMIT;"]
# The locked payout and attempt, read in one statement (LOCK_PAIR).
LOCK_PAIR = "SELECT payouts.id, payouts.payout_key, payouts.source, payou"
# The approved payouts the dispatcher takes (LOCK_DISPATCHABLE).
DISPATCHABLE = "SELECT payouts.id, payouts.rail, payouts.amount, payouts.pay"
# Sent before the first statement that goes straight to asyncpg, so that SQLAlchemy opens the
# transaction (``shared/db/driver.py: transaction_driver``).
OPEN = "SELECT 1"


async def test_a_paid_claim_costs_payouts_the_same_statements(world: World) -> None:
    async with _watching(world.engine, world.app.state.engine) as watch:
        received = await watch(lambda: world.request(command()))
        dispatched = await watch(lambda: dispatch_once(world.deps))
        [attempt] = await attempts(world)
        paid = await watch(lambda: post(world, callback(str(attempt.id))))

    assert [p.status for p in await payouts(world)] == ["paid"]
    # One transaction: the inbox, the payee's sighting, the payout with its first history
    # entry, and its approval with the second.
    assert received == sorted([*TRANSACTION, "INSERT INTO inbox", "INSERT INTO payees",
                               "WITH new_payout AS", "WITH moved AS"])
    # Two: the attempt committed before the provider call; then the answer (the attempt's
    # outcome, the payout's move and its history entry in one statement) and payout_submitted.
    assert dispatched == sorted([*TRANSACTION, DISPATCHABLE, "INSERT INTO payout_attempts",
                                 *TRANSACTION, OPEN, LOCK_PAIR, "WITH saved_attempt AS",
                                 "INSERT INTO outbox"])
    # One: the callback's event id, the outcome with the move, payout_paid.
    assert paid == sorted([*TRANSACTION, OPEN, LOCK_PAIR, "INSERT INTO provider_events",
                           "WITH saved_attempt AS", "INSERT INTO outbox"])
