"""An API whose database refuses connections answers 503 with Retry-After, not a 500.

Seen in the benchmark: with PostgreSQL out of connections ("too many clients"), the payouts API
answered provider callbacks with 500 problems. Here the refusals are real: a role whose
connection limit is 0 (SQLSTATE 53300, as when the server is out of connections) and a port
where nothing listens (the server is down).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url

from harness.ports import free_port
from shared.db.engine import connect_raw, create_engine
from shared.problems import PROBLEM_JSON, RETRY_AFTER_S
from tests.bare_app import bare_app, call
from tests.conftest import MigratedDb

ROLE = "warranty_test_no_connections"


def app_on(url: str) -> FastAPI:
    app = bare_app()

    @app.get("/query")
    async def query(sql: str = "SELECT 1") -> dict[str, str]:
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()
        return {"ok": "yes"}

    return app


async def get(url: str, path: str) -> httpx.Response:
    return await call(app_on(url), "GET", path)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["retry-after"] == str(RETRY_AFTER_S)
    body = response.json()
    assert body["type"] == "urn:warranty:problem:database-unavailable"
    assert body["status"] == 503 and "Idempotency-Key" in body["detail"]


@pytest.fixture
async def refused_role_url(migrated_db: MigratedDb) -> AsyncIterator[str]:
    url = await migrated_db("billing")
    admin = await connect_raw(url)
    try:
        await admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
        await admin.execute(f"CREATE ROLE {ROLE} LOGIN CONNECTION LIMIT 0")
        yield make_url(url).set(username=ROLE).render_as_string(hide_password=False)
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
        await admin.close()


async def test_too_many_connections_is_a_503_problem(refused_role_url: str) -> None:
    with pytest.raises(asyncpg.TooManyConnectionsError):  # the refusal this test is about
        await connect_raw(refused_role_url)
    assert_unavailable(await get(refused_role_url, "/query"))


async def test_database_not_listening_is_a_503_problem(migrated_db: MigratedDb) -> None:
    port = free_port()  # nothing listens there
    url = make_url(await migrated_db("billing")).set(port=port)
    assert_unavailable(await get(url.render_as_string(hide_password=False), "/query"))


async def test_other_database_errors_stay_500s(migrated_db: MigratedDb) -> None:
    response = await get(await migrated_db("billing"), "/query?sql=SELECT%20nonsense")
    assert response.status_code == 500
    assert response.json()["type"] == "urn:warranty:problem:internal-error"
