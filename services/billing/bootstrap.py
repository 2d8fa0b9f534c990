"""The one place that wires billing together: settings, database, gateway, app and worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.billing.adapters.gateway import GatewayClient
from services.billing.api import accounts, invoices, payments
from services.billing.api.errors import install_error_handlers
from services.billing.consumers.claims_events import QUEUE, claims_events_handler
from services.billing.service.context import ServiceContext
from services.billing.settings import BillingSettings
from shared.db import create_engine, create_sessionmaker
from shared.db.migrate import upgrade_head
from shared.web import api_resources, build_app
from shared.worker import WorkerSpec, run_worker

MIGRATIONS = Path(__file__).parent / "migrations"


def gateway_client(settings: BillingSettings) -> GatewayClient:
    return GatewayClient(settings.gateway_base_url, timeout_s=settings.gateway_timeout_s)


def create_app(
    settings: BillingSettings | None = None, *, gateway: GatewayClient | None = None
) -> FastAPI:
    """``gateway`` replaces the client built from settings (tests: one over ASGITransport)."""
    settings = settings or BillingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with api_resources(app, settings) as sessions:
            client = gateway or gateway_client(settings)
            app.state.context = ServiceContext(sessions, client, settings.invoice_terms_days)
            yield
            await client.aclose()

    app = build_app(
        service="billing",
        title="Billing API",
        description="Customer-portal payments by company contacts, applied oldest invoice "
        "first: accounts, contacts, invoices (also from dispatched service jobs), balance, "
        "idempotent payments through the card/ACH gateway, confirmations, history, refunds.",
        lifespan=lifespan,
        routers=[accounts.router, invoices.router, payments.router],
        openapi_tags=[
            {"name": "accounts", "description": "Customer companies and their contacts."},
            {"name": "invoices", "description": "Invoices and the account balance."},
            {"name": "payments", "description": "Portal payments, confirmations, refunds."},
        ],
    )
    install_error_handlers(app)
    return app


def worker_spec(app: ServiceContext) -> WorkerSpec:
    return WorkerSpec(name="billing", sessionmaker=app.sessions,
                      handlers={QUEUE: claims_events_handler(app)})


async def run_billing_worker(
    settings: BillingSettings | None = None, stop: asyncio.Event | None = None
) -> None:
    settings = settings or BillingSettings()
    engine = create_engine(settings.database_url, pool_size=5)
    # The worker only bills claims events; it never charges, but the context carries the port.
    gateway = gateway_client(settings)
    try:
        app = ServiceContext(create_sessionmaker(engine), gateway, settings.invoice_terms_days)
        await run_worker(worker_spec(app), settings, stop)
    finally:
        await gateway.aclose()
        await engine.dispose()


async def migrate(settings: BillingSettings | None = None) -> None:
    settings = settings or BillingSettings()
    await upgrade_head(MIGRATIONS, settings.database_url)
