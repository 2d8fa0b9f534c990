"""What the portal's two busiest requests send to PostgreSQL, pinned: a portal payment and the
balance read are the billing API's hot paths, and a statement more is CPU more on each.

Counted on the API's engine through public APIs only: SQLAlchemy's ``before_cursor_execute``
sees what goes through the session, asyncpg's query logger what goes to the driver straight
(``shared/db/driver.py``, and the dialect's own BEGIN and COMMIT). No rollback: none is
sent after a commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.api import ok
from warranty_client.portal import PortalAccount

# What asyncpg sends on its own to learn a type it meets first on a connection (the arrays of a
# payment's one write): once per connection, whatever the code.
_INTROSPECTION = ("SELECT current_setting('jit')", "WITH RECURSIVE typeinfo_tree",
                  "SELECT set_config('jit'")


@dataclass
class Sent:
    through_session: list[str] = field(default_factory=list)
    to_driver: list[str] = field(default_factory=list)  # in order; delivered a loop turn late

    async def settled(self) -> None:
        await asyncio.sleep(0.05)  # asyncpg calls its query loggers with ``call_soon``


@contextmanager
def statements_sent(engine: AsyncEngine) -> Iterator[Sent]:
    sent = Sent()
    drivers: list[asyncpg.Connection] = []

    def through_session(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.through_session.append(first_words(statement))

    def to_driver(record: asyncpg.connection.LoggedQuery) -> None:
        if not " ".join(record.query.split()).startswith(_INTROSPECTION):
            sent.to_driver.append(first_words(record.query))

    def on_checkout(_dbapi: Any, _record: Any, proxy: Any) -> None:
        driver: asyncpg.Connection = proxy.driver_connection
        if driver not in drivers:
            driver.add_query_logger(to_driver)
            drivers.append(driver)

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", through_session)
    event.listen(sync_engine.pool, "checkout", on_checkout)
    try:
        yield sent
    finally:
        event.remove(sync_engine.pool, "checkout", on_checkout)
        event.remove(sync_engine, "before_cursor_execute", through_session)
        for driver in drivers:
            driver.remove_query_logger(to_driver)


def first_words(statement: str) -> str:
    return " ".join(statement.split()[:3])


async def test_a_portal_payment_sends_its_statements_and_no_more(
    acct: PortalAccount, billing_app: FastAPI,
) -> None:
    token = await acct.tokenize()
    with statements_sent(billing_app.state.engine) as sent:
        ok(await acct.pay("120.00", token), 201)  # two invoices: one paid, one in part
        await sent.settled()
    # The dialect's BEGIN goes out with the cheapest statement, through the session.
    assert sent.through_session == ["SELECT 1"]
    assert sent.to_driver == [
        "BEGIN;",
        "SELECT a.customer_id, c.kind,",  # the account and the token's contact
        "INSERT INTO idempotency_keys",  # the key claimed
        "SELECT id FROM",  # the account's lock
        "SELECT id, number,",  # the oldest payable invoices and the balance
        "WITH payment AS",  # the payment, its allocations, its invoices: one statement
        "UPDATE idempotency_keys SET",  # the key's answer
        "INSERT INTO outbox",  # payment_received and invoice_paid, one statement
        "COMMIT;",
    ]


async def test_the_balance_read_is_one_statement(acct: PortalAccount, billing_app: FastAPI
                                                  ) -> None:
    with statements_sent(billing_app.state.engine) as sent:
        await acct.balance()
        await sent.settled()
    # On its own, outside a transaction: it writes nothing.
    assert (sent.through_session, sent.to_driver) == ([], ["SELECT a.customer_id, c.kind,"])
