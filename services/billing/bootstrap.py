"""The one place that wires billing together: settings, database, broker, app and worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.billing.settings import BillingSettings
from shared.db import create_engine, create_sessionmaker
from shared.db.migrate import upgrade_head
from shared.web import BrokerProbe, build_app
from shared.worker import WorkerSpec, run_worker

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    settings = settings or BillingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = create_engine(settings.database_url)
        app.state.sessionmaker = create_sessionmaker(app.state.engine)
        app.state.broker = BrokerProbe(settings.amqp_url)
        yield
        await app.state.broker.close()
        await app.state.engine.dispose()

    return build_app(
        service="billing",
        title="Billing API",
        description="Customer-portal payments by company contacts, applied oldest invoice first.",
        lifespan=lifespan,
        routers=[],
    )


async def run_billing_worker(settings: BillingSettings | None = None) -> None:
    settings = settings or BillingSettings()
    engine = create_engine(settings.database_url, pool_size=5)
    try:
        spec = WorkerSpec(name="billing", sessionmaker=create_sessionmaker(engine))
        await run_worker(spec, settings)
    finally:
        await engine.dispose()


async def migrate(settings: BillingSettings | None = None) -> None:
    settings = settings or BillingSettings()
    await upgrade_head(MIGRATIONS, settings.database_url)
