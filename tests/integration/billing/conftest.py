"""The billing API in process over a fresh, migrated database, with the sandbox's card/ACH
gateway in process too (``httpx.ASGITransport``): every payment really goes through the
gateway adapter over HTTP, and the database is real PostgreSQL.

The gateway keeps its ledger in the run's sandbox database, which other modules' ``sandbox_db``
fixture empties before each of their tests: a billing test may rely on what it charged itself,
never on charges or tokens from an earlier test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.billing.adapters.gateway import GatewayClient
from services.billing.bootstrap import create_app
from services.billing.service.context import ServiceContext
from services.billing.settings import BillingSettings
from services.sandbox.app import create_app as create_sandbox
from services.sandbox.settings import SandboxSettings
from tests.conftest import MigratedDb
from tests.integration.api import in_process
from warranty_client.portal import PortalAccount

JWT_SECRET = "billing-integration-tests-secret-0123456789"
GATEWAY = "http://sandbox.test/gateway/v1"


@pytest.fixture(scope="session")
async def billing_settings(
    migrated_db: MigratedDb, amqp_url: str, mq_namespace: str
) -> BillingSettings:
    return BillingSettings(
        database_url=await migrated_db("billing"), amqp_url=amqp_url,
        mq_namespace=mq_namespace, jwt_secret=JWT_SECRET, gateway_base_url=GATEWAY,
        outbox_poll_interval_s=0.05,
    )


@pytest.fixture(scope="session")
async def sandbox_app(sandbox_database: str) -> AsyncIterator[FastAPI]:
    app = create_sandbox(SandboxSettings(database_url=sandbox_database))
    yield app
    await app.state.sandbox.aclose()  # ASGITransport runs no lifespan


@pytest.fixture(scope="session")
async def gateway_http(sandbox_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
        yield http


@pytest.fixture(scope="session")
def billing_app(billing_settings: BillingSettings, gateway_http: httpx.AsyncClient) -> FastAPI:
    return create_app(billing_settings, gateway=GatewayClient(GATEWAY, client=gateway_http))


@pytest.fixture(scope="session")
async def client(billing_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app's client for the whole session, its lifespan running meanwhile."""
    async with in_process(billing_app, "http://billing.test") as http:
        yield http


@pytest.fixture(scope="session")
def billing(billing_app: FastAPI, client: httpx.AsyncClient) -> ServiceContext:
    """The context the app's lifespan (run by ``client``) made."""
    return billing_app.state.context  # type: ignore[no-any-return]


@pytest.fixture
async def acct(client: httpx.AsyncClient, gateway_http: httpx.AsyncClient,
               billing_settings: BillingSettings) -> PortalAccount:
    """A company with a company contact (portal), a site contact and three invoices:
    2026-09-01 100.00, 2026-09-20 50.00, 2026-10-15 75.00 (balance 225.00)."""
    return await PortalAccount(client, gateway_http, billing_settings).open()


async def gateway_charges(gateway_http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await gateway_http.get("/charges")
    assert response.status_code == 200
    return list(response.json())
