"""The statements of a claim's money path, pinned: an approval and each payout event run the
fast path's prebuilt statements (``adapters/statements.py``) and nothing else, so a change to
how the use cases reach the database cannot add a statement or a round trip unseen.

Every statement is counted, on the connections the claims API checks out while the flow runs:
what runs on asyncpg itself through its public query logger, what goes through the session
through SQLAlchemy's ``before_cursor_execute``. (The commit is neither, and is one per unit of
work.)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from services.claims.consumers.payout_events import payout_events_handler
from services.claims.service.context import ServiceContext
from shared.messaging.contracts import PayoutPaidV1, PayoutSubmittedV1
from tests.integration.api import ok

from .conftest import Flow
from .test_claim_credit_flow import outbox_commands, reported

# asyncpg's own reads of the types a connection meets for the first time: once per connection.
_INTROSPECTION = ("typeinfo_tree", "current_setting('jit')", "set_config('jit'")
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)")


def _what(sql: str) -> str | None:
    """A statement as its verb and first table (``SELECT contracts``), None if not the flow's:
    the clock follower's polls and asyncpg's type introspection."""
    if "service_clock" in sql or any(marker in sql for marker in _INTROSPECTION):
        return None
    verb = sql.split(None, 1)[0].rstrip(";").upper()
    table = _TABLE.search(sql)
    return verb if table is None else f"{verb} {table.group(1)}"


@asynccontextmanager
async def statements(claims: ServiceContext) -> AsyncIterator[list[str]]:
    engine: AsyncEngine = claims.sessions.kw["bind"]
    seen: list[str] = []
    logged: set[asyncpg.Connection] = set()

    def note(sql: str) -> None:
        if (what := _what(sql)) is not None:
            seen.append(what)

    def log(record: Any) -> None:  # what runs on asyncpg itself (the fast path, BEGIN)
        note(record.query)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        note(statement)  # what goes through the session (its prepared statements)

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver: asyncpg.Connection = dbapi_connection.driver_connection
        if driver not in logged:
            driver.add_query_logger(log)
            logged.add(driver)

    listener: Callable[..., None] = on_checkout
    event.listen(engine.sync_engine, "checkout", listener)
    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "checkout", listener)
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)
        for driver in logged:
            driver.remove_query_logger(log)


async def test_an_approval_and_its_payout_events_run_only_the_fast_path(
    flow: Flow, claims: ServiceContext
) -> None:
    claim_id = await flow.ready_claim()
    async with statements(claims) as approval:
        assert ok(await flow.approve(claim_id))["status"] == "approved"
    assert approval == [
        "INSERT idempotency_keys", "BEGIN",  # the key, then the transaction it began
        "SELECT contracts",  # LOCK_CLAIM: contract and claim, locked
        "SELECT limit_holds",  # the contract's live holds
        "SELECT job_exceptions",  # the open review
        "WITH claim_payouts",  # APPROVE: payout, holds and claim in one statement
        "UPDATE idempotency_keys", "INSERT audit_events", "INSERT outbox",
    ]
    handle = payout_events_handler(claims)
    [command] = await outbox_commands(claims, claim_id)
    async with statements(claims) as submitted:
        await handle(reported(command, PayoutSubmittedV1, claim_id))
    assert submitted == [
        "INSERT inbox", "BEGIN",
        "SELECT contracts",  # LOCK_PAYOUT: contract, claim and payout, locked
        "WITH claim_payouts",  # SAVE_PAYOUT_AND_CLAIM
        "INSERT audit_events", "INSERT outbox",
    ]
    async with statements(claims) as paid:
        await handle(reported(command, PayoutPaidV1, claim_id))
    assert paid == [
        "INSERT inbox", "BEGIN", "SELECT contracts", "WITH claim_payouts",
        "SELECT limit_holds", "UPDATE limit_holds",  # the holds consumed
        "SELECT job_exceptions", "UPDATE job_exceptions",  # the review completed
        "INSERT audit_events", "INSERT outbox",
    ]
