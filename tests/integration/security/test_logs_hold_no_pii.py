"""Issue 17, item 4: a database error logged its bound parameters, a payee's email among them.
The engine hides parameters (``hide_parameters=True``) and the log formatter drops PostgreSQL's
DETAIL lines (``Failing row contains (...)``, ``Key (email)=(...)``), which quote values too.
Each error path is driven with an email in the statement's parameters and every log line
(as the JSON formatter writes it, traceback included) is scanned for it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import create_engine
from shared.db.engine import connect_raw
from shared.logging import JsonFormatter
from tests.bare_app import bare_app, call
from tests.conftest import PG_HOST, PG_PORT

EMAIL = "jane.privacy-probe@homemail.net"
LOCAL_PART = EMAIL.split("@")[0]
URL = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/postgres"
TABLE = "CREATE TEMP TABLE payee_probe (email text PRIMARY KEY, n int NOT NULL)"


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine(URL, pool_size=1)
    yield engine
    await engine.dispose()


def logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = JsonFormatter("test")
    return "\n".join(formatter.format(record) for record in caplog.records)


async def divide_by_zero(engine: AsyncEngine) -> None:
    """A statement that fails with the email among its parameters."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1 / 0 WHERE CAST(:email AS text) IS NOT NULL"),
                           {"email": EMAIL})


async def insert_probe(engine: AsyncEngine, n: str, times: int = 1) -> None:
    """The email's row (``n`` as SQL) into a new probe table, ``times`` times."""
    async with engine.begin() as conn:
        await conn.execute(text(TABLE))
        for _ in range(times):
            await conn.execute(text(f"INSERT INTO payee_probe VALUES (:email, {n})"),
                               {"email": EMAIL})


async def test_a_failing_statement_does_not_show_its_parameters(engine: AsyncEngine) -> None:
    with pytest.raises(DBAPIError) as failed:
        await divide_by_zero(engine)
    assert LOCAL_PART not in str(failed.value)
    assert "hidden" in str(failed.value)


async def test_error_paths_of_an_api_log_no_parameter(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture,
) -> None:
    router = APIRouter()

    @router.post("/failing-statement")
    async def failing() -> None:
        await divide_by_zero(engine)

    @router.post("/duplicate")
    async def duplicate() -> None:
        await insert_probe(engine, "1", times=2)

    @router.post("/not-null")
    async def not_null() -> None:
        await insert_probe(engine, "NULL")

    @router.post("/driver-not-null")
    async def driver_not_null() -> None:
        # The money path's statements go to asyncpg itself (shared/db/driver.py), whose error
        # text carries the DETAIL with the row.
        conn = await connect_raw(URL)
        try:
            await conn.execute(TABLE)
            await conn.execute("INSERT INTO payee_probe VALUES ($1, NULL)", EMAIL)
        finally:
            await conn.close()

    app = bare_app()
    app.include_router(router)
    caplog.set_level(logging.INFO)
    statuses = {path: (await call(app, "POST", path)).status_code
                for path in ("/failing-statement", "/duplicate", "/not-null",
                             "/driver-not-null")}
    assert statuses == {"/failing-statement": 500, "/duplicate": 409, "/not-null": 500,
                        "/driver-not-null": 500}
    lines = logged(caplog)
    assert "division by zero" in lines and "not-null constraint" in lines, lines
    assert LOCAL_PART not in lines, lines
