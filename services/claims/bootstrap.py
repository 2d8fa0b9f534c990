"""The one place that wires claims together: settings, database, broker, app and worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.claims.api import install_error_handlers, routers
from services.claims.consumers.payout_events import QUEUE, payout_events_handler
from services.claims.consumers.timers import job_expiry
from services.claims.service.context import Policy, ServiceContext
from services.claims.settings import ClaimsSettings
from shared.clock import adjustable, follow, following
from shared.clock_routes import clock_routes
from shared.db import create_engine, create_sessionmaker
from shared.db.migrate import upgrade_head
from shared.loops import Loop
from shared.money import Money
from shared.web import api_resources, build_app
from shared.worker import WorkerSpec, run_worker

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "Contracts and covered items, service requests, orders and jobs, options and claim credits, "
    "BYOP jobs, exceptions, and the claims that pay customers and service pros. Approving a "
    "claim sends `payouts.request_payout`; the payouts service's events make it Paid."
)


def claims_context(
    settings: ClaimsSettings, sessionmaker: async_sessionmaker[AsyncSession]
) -> ServiceContext:
    return ServiceContext(sessionmaker, Policy(approval_limit=Money(settings.approval_limit)))


def create_app(settings: ClaimsSettings | None = None) -> FastAPI:
    settings = settings or ClaimsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with api_resources(app, settings) as sessions:
            app.state.context = claims_context(settings, sessions)
            async with following(app.state.context.clock, sessions,
                                 enabled=adjustable(settings)):
                yield

    app = build_app(
        service="claims",
        title="Claims API",
        description=DESCRIPTION,
        lifespan=lifespan,
        routers=[*routers(), *clock_routes(settings, lambda r: r.app.state.context.clock)],
    )
    install_error_handlers(app)
    return app


async def run_claims_worker(
    settings: ClaimsSettings | None = None, stop: asyncio.Event | None = None
) -> None:
    """Runs until SIGTERM/SIGINT, or until ``stop`` is set (tests)."""
    settings = settings or ClaimsSettings()
    # Ten kept connections, as many as 5 + 5 overflow allowed, without reconnecting per
    # transaction under load (bench/RESULTS.md: asyncpg connect in the worker's profile).
    engine = create_engine(settings.database_url, pool_size=10, max_overflow=0)
    try:
        sessionmaker = create_sessionmaker(engine)
        claims = claims_context(settings, sessionmaker)
        spec = WorkerSpec(
            name="claims",
            sessionmaker=sessionmaker,
            handlers={QUEUE: payout_events_handler(claims)},
            loops=[job_expiry(claims, settings.job_expiry_interval_s),
                   *clock_loops(claims, settings)],
        )
        await run_worker(spec, settings, stop)
    finally:
        await engine.dispose()


def clock_loops(claims: ServiceContext, settings: ClaimsSettings) -> list[Loop]:
    """The worker follows the clock the API moves (not in production: it never moves there)."""
    return [follow(claims.clock, claims.sessions)] if adjustable(settings) else []


async def migrate(settings: ClaimsSettings | None = None) -> None:
    settings = settings or ClaimsSettings()
    await upgrade_head(MIGRATIONS, settings.database_url)
