"""The three service APIs in process over their migrated databases, for the input tests."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from services.billing.bootstrap import create_app as billing_app
from services.billing.settings import BillingSettings
from services.claims.bootstrap import create_app as claims_app
from services.claims.settings import ClaimsSettings
from services.payouts.bootstrap import create_app as payouts_app
from services.payouts.settings import PayoutsSettings
from services.sandbox.notifications import notification_headers
from shared.auth import Role, mint_token
from shared.db.engine import connect_raw
from shared.settings import ServiceSettings
from shared.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.bank_notifications import sandbox_bank_keys
from tests.conftest import MigratedDb
from tests.integration.api import in_process


def bearer(settings: ServiceSettings, role: Role, *, subject: str = "nul-tester",
           customer_id: str | None = None) -> dict[str, str]:
    token = mint_token(secret=settings.jwt_secret, issuer=settings.jwt_issuer,
                       audience=settings.jwt_audience, subject=subject, roles=[role],
                       customer_id=customer_id)
    return {"Authorization": f"Bearer {token}"}


async def row_counts(settings: ServiceSettings) -> dict[str, int]:
    """Rows in every table of the service's database: what a refused request must not change."""
    conn = await connect_raw(settings.database_url, database=make_url(
        settings.database_url).database)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row["tablename"]: await conn.fetchval(
            f'SELECT count(*) FROM "{row["tablename"]}"') for row in tables}
    finally:
        await conn.close()


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.headers
    if slug is not None:
        assert response.json()["type"] == f"urn:warranty:problem:{slug}", response.text


@asynccontextmanager
async def nothing_stored(settings: ServiceSettings) -> AsyncIterator[None]:
    """Around requests that must be refused: every table of the service's database holds as
    many rows afterwards as before."""
    before = await row_counts(settings)
    yield
    assert await row_counts(settings) == before


def signed(settings: PayoutsSettings, body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    now = int(time.time())
    return raw, {"Content-Type": "application/json", TIMESTAMP_HEADER: str(now),
                 SIGNATURE_HEADER: sign(settings.webhook_secret, now, raw),
                 **notification_headers(raw)}  # J.P. Morgan's rails check this one


async def assert_callback_refused(payouts: tuple[httpx.AsyncClient, PayoutsSettings],
                                  path: str, body: dict[str, Any]) -> None:
    """``body``, signed as the providers sign their callbacks, POSTed to ``path``: a 422
    validation problem, and nothing stored."""
    client, settings = payouts
    async with nothing_stored(settings):
        raw, headers = signed(settings, body)
        response = await client.post(path, content=raw, headers=headers)
        assert_problem(response, 422, "validation-error")


APPS: dict[str, tuple[type[ServiceSettings], Callable[[Any], FastAPI]]] = {
    "claims": (ClaimsSettings, claims_app),
    "billing": (BillingSettings, billing_app),
    "payouts": (PayoutsSettings, payouts_app),
}


async def serving(service: str, migrated_db: MigratedDb, amqp_url: str
                  ) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """``service``'s API in process over its migrated database, and its settings."""
    settings_cls, create_app = APPS[service]
    settings = settings_cls(database_url=await migrated_db(service), amqp_url=amqp_url)
    app = create_app(settings)
    async with in_process(app, "http://nul") as client:
        if service == "payouts":  # no sandbox here: J.P. Morgan's keys are the sandbox's
            await app.state.notification_keys.aclose()
            app.state.notification_keys = sandbox_bank_keys()
        yield client, settings


def serving_fixture(service: str) -> Any:
    """The fixture named ``service``: (client, settings) of that API, served as ``serving``
    serves it (the tests annotate the settings' class)."""
    async def served(migrated_db: MigratedDb, amqp_url: str
                     ) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
        async for pair in serving(service, migrated_db, amqp_url):
            yield pair
    return pytest.fixture(served, name=service)


claims = serving_fixture("claims")
billing = serving_fixture("billing")
payouts = serving_fixture("payouts")


@pytest.fixture
async def api(request: pytest.FixtureRequest, migrated_db: MigratedDb, amqp_url: str
              ) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceSettings]]:
    """The API named by the test's (indirect) parameter."""
    async for served in serving(request.param, migrated_db, amqp_url):
        yield served
